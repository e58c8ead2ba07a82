import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { processRecordText } from '../../src/ingest/process.js';
import { type BatchOutcome, transformBatch } from './transform.js';

/**
 * Firehose data-transformation handler: WAF log records in, flat classified events out (one JSON
 * line each, partitioned by the event's day). The work is in transform.ts; this file adds the
 * logs and the EMF metrics.
 */

const logger = new Logger({ serviceName: 'waftune-transform' });
const metrics = new Metrics({ namespace: 'waftune', serviceName: 'waftune-transform' });

// Enough failures to diagnose a bad batch without flooding the log group with one line per record.
const LOGGED_FAILURES = 20;

async function transform(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  const outcome = transformBatch(event, processRecordText);
  record(outcome);
  return outcome.response;
}

function record(outcome: BatchOutcome): void {
  const { counts, byVerdict, failures } = outcome;
  metrics.addMetric('RecordsIn', MetricUnit.Count, counts.in);
  metrics.addMetric('RecordsOut', MetricUnit.Count, counts.ok);
  metrics.addMetric('RecordsFailed', MetricUnit.Count, counts.failed);
  metrics.addMetric('EventsOut', MetricUnit.Count, outcome.events);
  metrics.addMetric('RecordsConcatenated', MetricUnit.Count, outcome.concatenated);
  metrics.addMetric('ResponseBytes', MetricUnit.Bytes, outcome.responseBytes);
  for (const [verdict, count] of Object.entries(byVerdict)) {
    const single = metrics.singleMetric();
    single.addDimension('verdict', verdict);
    single.addMetric('EventsByVerdict', MetricUnit.Count, count);
  }
  for (const failure of failures.slice(0, LOGGED_FAILURES)) logger.warn('record failed', { ...failure });
  logger.info('batch transformed', {
    recordsIn: counts.in,
    recordsOut: counts.ok,
    recordsFailed: counts.failed,
    eventsOut: outcome.events,
    recordsConcatenated: outcome.concatenated,
    failuresNotLogged: Math.max(0, failures.length - LOGGED_FAILURES),
    responseBytes: outcome.responseBytes,
    byVerdict,
  });
}

export const handler = middy(transform)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
