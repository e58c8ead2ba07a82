import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readSettings } from '../digest/settings.js';
import { notifyDeps } from '../digest/wiring.js';
import { alertsOnce } from './alerts.js';

/**
 * False-positive spike alerts (EventBridge Scheduler, every 5 to 15 minutes). Dedup, cooldown and
 * threads live in the S3 state object. A Slack failure is logged and counted, never thrown: the
 * next run sees the same spike and tries again.
 */

const logger = new Logger({ serviceName: 'waftune-alerts' });
const metrics = new Metrics({ namespace: 'waftune', serviceName: 'waftune-alerts' });

async function alerts(): Promise<{ detected: number; sent: number; failed: number }> {
  const settings = readSettings(process.env);
  const { deps, problems } = await notifyDeps(settings);
  for (const problem of problems) logger.error('slack setup', { problem });
  if (problems.length > 0) metrics.addMetric('SlackSetupFailed', MetricUnit.Count, 1);
  try {
    const result = await alertsOnce(deps, {
      now: new Date(),
      timeZone: settings.WAFTUNE_TIME_ZONE,
      intervalMinutes: settings.WAFTUNE_ALERT_INTERVAL_MINUTES,
      bucketMinutes: settings.WAFTUNE_ALERT_BUCKET_MINUTES,
      windowHours: settings.WAFTUNE_ALERT_WINDOW_HOURS,
    });
    metrics.addMetric('AlertsDetected', MetricUnit.Count, result.detected);
    metrics.addMetric('AlertsSent', MetricUnit.Count, result.sent + result.followUps + result.resolved);
    metrics.addMetric('AlertsSuppressed', MetricUnit.Count, result.suppressed);
    metrics.addMetric('AlertsFailed', MetricUnit.Count, result.failed);
    metrics.addMetric('ChangeHistoryUnreadable', MetricUnit.Count, result.history.problem ? 1 : 0);
    for (const error of result.errors) logger.error('alert delivery failed', { error });
    for (const warning of result.warnings) logger.warn('alert state', { warning });
    logger.info('alerts checked', {
      detected: result.detected,
      sent: result.sent,
      followUps: result.followUps,
      resolved: result.resolved,
      suppressed: result.suppressed,
      failed: result.failed,
      slackConfigured: deps.delivery !== null,
      changes: result.history.records.length,
      history: result.history.location,
    });
    return { detected: result.detected, sent: result.sent, failed: result.failed };
  } finally {
    await deps.engine.close();
  }
}

export const handler = middy(alerts)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
