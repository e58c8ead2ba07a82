import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { S3AuditStore } from '../../adapters/audit-store-s3.js';
import { createS3Client } from '../../adapters/s3-source.js';
import { accountOfArn } from '../../src/waf/accounts.js';
import { type ExpireRunResult, expireLocations, expireOnce } from './expire.js';
import { readExpireSettings } from './settings.js';
import { expireTargets } from './targets.js';

/**
 * Scheduled IP block expiry (EventBridge Scheduler, hourly by default): the change history in the
 * stack's bucket says what waftune blocked until when; what is past its date leaves the waftune IP
 * sets, and the removal is recorded there too, so `waftune changes --audit s3://...` shows it and
 * `rollback` can undo it. A set that cannot be written is logged and counted, not thrown: the
 * next run tries again, while a retry now would meet the same problem.
 */

const logger = new Logger({ serviceName: 'waftune-expire' });
const metrics = new Metrics({ namespace: 'waftune', serviceName: 'waftune-expire' });

async function expire(_event: unknown, context: Context): Promise<Omit<ExpireRunResult, 'sets'>> {
  const settings = readExpireSettings(process.env);
  const store = new S3AuditStore(createS3Client(), settings.WAFTUNE_BUCKET, settings.WAFTUNE_AUDIT_PREFIX);
  const { port, accounts, unavailable } = await expireTargets(
    settings,
    // Unknown (no ARN, as in some local runners): every account's sets are tried, as before.
    accountOfArn(context.invokedFunctionArn ?? ''),
  );
  for (const [account, reason] of unavailable ?? [])
    logger.error('account not reachable', { account, reason });
  const result = await expireOnce(
    { port, store },
    {
      now: () => new Date(),
      locations: expireLocations(settings),
      ...(accounts ? { accounts } : {}),
      ...(unavailable?.size ? { unavailable } : {}),
      actor: { user: `lambda:${context.functionName}`, host: settings.AWS_REGION },
    },
  );
  metrics.addMetric('AddressesExpired', MetricUnit.Count, result.removed);
  metrics.addMetric('ExpireFailures', MetricUnit.Count, result.failed);
  metrics.addMetric('AuditStoreProblems', MetricUnit.Count, result.storeProblems.length);
  for (const set of result.sets) {
    const fields = {
      set: set.name,
      account: set.account,
      scope: set.scope,
      region: set.region,
      addresses: set.addresses,
    };
    if (set.status === 'failed') logger.error('IP set not expired', { ...fields, reason: set.reason });
    else logger.info(`IP set ${set.status}`, { ...fields, reason: set.reason });
  }
  for (const problem of result.storeProblems) logger.error('change history', { problem });
  const { sets: _sets, ...summary } = result;
  logger.info('expire done', { ...summary, history: store.location });
  return summary;
}

export const handler = middy(expire)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
