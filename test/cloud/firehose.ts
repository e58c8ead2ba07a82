import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';
import { awsDocExampleLines } from '../support/vendored.js';

/** Firehose-shaped events for the transform tests and the bench. */

/** AWS's six documented WAF log records, one JSON text each. */
export const exampleRecords = awsDocExampleLines;

export function firehoseRecord(recordId: string, text: string | Buffer): FirehoseTransformationEventRecord {
  return {
    recordId,
    approximateArrivalTimestamp: 1_700_000_000_000,
    data: (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('base64'),
  };
}

export function firehoseEvent(records: FirehoseTransformationEventRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/aws-waf-logs-waftune-test',
    region: 'eu-west-1',
    records,
  };
}

/** A Firehose record id looks like this: 49 digits + a sequence. */
export function recordIdFor(i: number): string {
  return `49546986683135544286507457936321625675700192471156785154${String(i).padStart(6, '0')}`;
}

export function decode(data: string | undefined): string {
  return Buffer.from(data ?? '', 'base64').toString('utf8');
}
