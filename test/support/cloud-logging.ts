import type { FirehoseTransformationEvent } from 'aws-lambda';
import { transformBatch } from '../../functions/transform/transform.js';
import type { WafEvent } from '../../schemas/event.js';
import { processRecordText } from '../../src/ingest/process.js';
import type { LoggingConfiguration } from '../../src/waf/logging-config.js';
import type { RuleBody } from '../../src/waf/types.js';
import { logThrough, withCountRules } from './waf-simulator.js';

/**
 * A fleet's records as they reach Athena: WAF runs the evidence rules `connect` adds, the logging
 * configuration `connect` sets drops and redacts, Firehose batches what is left through the
 * transform Lambda's code, and the events come out as the Glue table holds them.
 */

type Json = Record<string, unknown>;

export interface LoggingVolume {
  records: number;
  bytes: number;
}

export interface CloudRun {
  /** Every record as WAF writes it (evidence labels on, nothing dropped), redacted as configured. */
  everything: LoggingVolume;
  /** What the logging filter keeps. */
  kept: LoggingVolume;
  /** Kept ALLOW records (kept for their evidence labels). */
  keptAllow: number;
  events: WafEvent[];
  /** Records the transform could not turn into events (must be none). */
  failed: number;
}

export interface CloudOptions {
  /** The Count rules WAF runs first (connect's evidence rules). */
  rules: readonly RuleBody[];
  /** The logging configuration of the record's web ACL. */
  logging: (webAclArn: string) => LoggingConfiguration;
  /** Firehose's batch size for the transform (it sends up to a few MB per invocation). */
  batch?: number;
}

function namespaceOf(webAclArn: string): string {
  // arn:aws:wafv2:<region>:<account>:<scope>/webacl/<name>/<id>
  const parts = webAclArn.split(':');
  const name = (parts[5] ?? '').split('/')[2] ?? '';
  return `awswaf:${parts[4] ?? ''}:webacl:${name}:`;
}

export function throughTheCloud(records: Iterable<Json>, options: CloudOptions): CloudRun {
  const everything = { records: 0, bytes: 0 };
  const kept = { records: 0, bytes: 0 };
  let keptAllow = 0;
  const lines: string[] = [];
  for (const raw of records) {
    const arn = String(raw.webaclId);
    const config = options.logging(arn);
    const logged = withCountRules(raw, options.rules, namespaceOf(arn));
    // The baseline keeps everything, with the same redaction (connect --keep-allow).
    const all = logThrough(logged, { ...config, LoggingFilter: undefined });
    const allText = JSON.stringify(all);
    everything.records++;
    everything.bytes += Buffer.byteLength(allText) + 1;
    const out = logThrough(logged, config);
    if (!out) continue;
    const text = JSON.stringify(out);
    kept.records++;
    kept.bytes += Buffer.byteLength(text) + 1;
    if (out.action === 'ALLOW') keptAllow++;
    lines.push(text);
  }
  const events: WafEvent[] = [];
  let failed = 0;
  const batch = options.batch ?? 500;
  for (let i = 0; i < lines.length; i += batch) {
    const slice = lines.slice(i, i + batch);
    const event: FirehoseTransformationEvent = {
      invocationId: `inv-${i}`,
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/aws-waf-logs-waftune-test',
      region: 'eu-west-1',
      records: slice.map((line, j) => ({
        recordId: `r-${i + j}`,
        approximateArrivalTimestamp: 0,
        data: Buffer.from(`${line}\n`).toString('base64'),
      })),
    };
    const outcome = transformBatch(event, processRecordText);
    failed += outcome.counts.failed;
    for (const r of outcome.response.records) {
      if (r.result !== 'Ok') continue;
      events.push(JSON.parse(Buffer.from(r.data ?? '', 'base64').toString('utf8')) as WafEvent);
    }
  }
  return { everything, kept, keptAllow, events, failed };
}
