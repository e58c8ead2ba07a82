import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { digestOnce } from './digest.js';
import { readSettings } from './settings.js';
import { notifyDeps } from './wiring.js';

/**
 * Daily digest (EventBridge Scheduler, time and zone in serverless.yml): the last day from Athena
 * to Slack, the HTML report to S3. A Slack failure is logged, counted and kept in the outbox for
 * the next run; it does not fail the invocation (a retry would only build the digest again).
 */

const logger = new Logger({ serviceName: 'waftune-digest' });
const metrics = new Metrics({ namespace: 'waftune', serviceName: 'waftune-digest' });

async function digest(): Promise<{ day: string; delivered: boolean; pending: number }> {
  const settings = readSettings(process.env);
  const { deps, problems } = await notifyDeps(settings);
  for (const problem of problems) logger.error('slack setup', { problem });
  if (problems.length > 0) metrics.addMetric('SlackSetupFailed', MetricUnit.Count, 1);
  try {
    const result = await digestOnce(deps, { now: new Date(), timeZone: settings.WAFTUNE_TIME_ZONE });
    metrics.addMetric('DigestDelivered', MetricUnit.Count, result.delivered ? 1 : 0);
    metrics.addMetric('DigestDeliveryAttempts', MetricUnit.Count, result.attempts);
    metrics.addMetric('OutboxPending', MetricUnit.Count, result.pending);
    metrics.addMetric('ChangeHistoryUnreadable', MetricUnit.Count, result.history.problem ? 1 : 0);
    for (const error of result.errors) logger.error('digest problem', { error });
    for (const warning of result.warnings) logger.warn('digest warning', { warning });
    logger.info('digest done', {
      day: result.day,
      delivered: result.delivered,
      slackConfigured: deps.delivery !== null,
      report: result.report?.location ?? null,
      resent: result.resent,
      pending: result.pending,
      changes: result.history.records.length,
      history: result.history.location,
    });
    return { day: result.day, delivered: result.delivered, pending: result.pending };
  } finally {
    await deps.engine.close();
  }
}

export const handler = middy(digest)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
