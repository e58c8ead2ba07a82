import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { WafEvent } from '../../schemas/event.js';
import type { ProcessResult } from '../../src/ingest/process.js';
import { type Processor, pieceReason, processText } from '../../src/ingest/process-text.js';
import { eventJson } from './event-json.js';

/**
 * The Firehose transform, free of Lambda plumbing: one batch of Firehose records in, one response
 * out. Every input record gets exactly one output record with its recordId, in input order; a
 * record that cannot become an event is `ProcessingFailed` (Firehose keeps it under the error
 * prefix, and raw/ has every source record anyway), never dropped.
 *
 * A record whose data holds several WAF records back to back (`}{`, or one per line, as a producer
 * that batches them writes) still gets one output record, as Firehose requires: its data is all
 * their events, one JSON line each. A piece that is not a WAF record is a failure of its own
 * (logged with the recordId; the source stays in raw/) and the others are kept. Their events must
 * share a day, the one partition key an output record has; records from several days fail as a
 * whole rather than land in the wrong partition.
 */

/**
 * Lambda's synchronous response limit is 6 MB (6,291,456 bytes); stay clear of it so that the
 * runtime's own framing can never tip a batch over.
 */
export const RESPONSE_LIMIT_BYTES = 6_000_000;

export interface BatchFailure {
  recordId: string;
  reason: string;
}

export interface BatchOutcome {
  response: FirehoseTransformationResult;
  /** Records in, records answered Ok, records failed. */
  counts: { in: number; ok: number; failed: number };
  /** Events written: one per Ok record, more when a record held several WAF records. */
  events: number;
  /** Records whose data held several WAF records. */
  concatenated: number;
  /** Ok events per verdict (`unclassified` when no rule matched). */
  byVerdict: Record<string, number>;
  /** Failed records, and failed pieces of records that held several (their recordId is Ok). */
  failures: BatchFailure[];
  /** Exact UTF-8 size of the JSON response. */
  responseBytes: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const BLANK = /^\s*$/;
// Entry sizes less the JSON-quoted recordId (and, for Ok, less the payload): the rest is fixed.
const FAILED_ENTRY_BYTES = JSON.stringify({ recordId: '', result: 'ProcessingFailed', data: '' }).length - 2;
const OK_ENTRY_BYTES =
  JSON.stringify({ recordId: '', result: 'Ok', data: '', metadata: { partitionKeys: { dt: '2000-01-01' } } })
    .length - 2;
// `{"records":[` + `]}`
const ENVELOPE_BYTES = 14;

export function transformBatch(
  event: FirehoseTransformationEvent | { records?: unknown },
  process: Processor,
  limit = RESPONSE_LIMIT_BYTES,
): BatchOutcome {
  const input: unknown[] = Array.isArray(event?.records) ? event.records : [];
  const ids = input.map(recordIdOf);

  // Reserve the smallest possible entry for every record first: whatever the records turn out to
  // be, each one can still be answered, so no recordId is ever left out to honour the limit. The
  // smallest output entry is shorter than its input entry, so the reserve fits whenever Firehose's
  // own request (itself at most 6 MB) did.
  const idBytes = ids.map((id) => byteLength(JSON.stringify(id)));
  const minimal = idBytes.map((n) => FAILED_ENTRY_BYTES + n);
  let used = ENVELOPE_BYTES + Math.max(0, ids.length - 1) + sum(minimal);
  if (used > limit)
    throw new Error(`batch of ${ids.length} records cannot be answered within ${limit} bytes`);

  const records: FirehoseTransformationResultRecord[] = [];
  const failures: BatchFailure[] = [];
  const byVerdict: Record<string, number> = {};
  let ok = 0;
  let events = 0;
  let concatenated = 0;

  input.forEach((raw, i) => {
    const recordId = ids[i] as string;
    const reserved = minimal[i] as number;
    const result = transformOne(raw, process);
    if (result.ok && result.pieces > 1) concatenated++;
    if (result.ok) {
      const data = encodeLines(result.events);
      const entry: FirehoseTransformationResultRecord = {
        recordId,
        result: 'Ok',
        data,
        metadata: { partitionKeys: { dt: result.dt } },
      };
      // base64 is ASCII and the day is checked: the entry's size is arithmetic, no second stringify.
      const size = OK_ENTRY_BYTES + (idBytes[i] as number) + data.length;
      if (used - reserved + size <= limit) {
        used += size - reserved;
        records.push(entry);
        ok++;
        events += result.events.length;
        for (const event of result.events) {
          const verdict = event.verdict ?? 'unclassified';
          byVerdict[verdict] = (byVerdict[verdict] ?? 0) + 1;
        }
        for (const reason of result.pieceFailures) failures.push({ recordId, reason });
        return;
      }
      failures.push({
        recordId,
        reason: 'response size limit: left for Firehose to keep under the error prefix',
      });
      records.push(failedEntry(recordId));
      return;
    }
    failures.push({ recordId, reason: result.reason });
    // Hand the source record back with the failure when it fits, so the error output holds it
    // whichever copy Firehose writes there; raw/ keeps every source record in any case.
    const source = (raw as { data?: unknown } | null)?.data;
    const echo: FirehoseTransformationResultRecord = {
      ...failedEntry(recordId),
      data: typeof source === 'string' ? source : '',
    };
    const size = byteLength(JSON.stringify(echo));
    if (used - reserved + size <= limit) {
      used += size - reserved;
      records.push(echo);
    } else {
      records.push(failedEntry(recordId));
    }
  });

  return {
    response: { records },
    counts: { in: input.length, ok, failed: input.length - ok },
    events,
    concatenated,
    byVerdict,
    failures,
    responseBytes: used,
  };
}

type OneResult =
  | { ok: true; events: WafEvent[]; dt: string; pieces: number; pieceFailures: string[] }
  | { ok: false; reason: string };

function transformOne(raw: unknown, process: Processor): OneResult {
  const data = (raw as { data?: unknown } | null)?.data;
  if (typeof data !== 'string') return { ok: false, reason: 'record has no base64 data' };
  const text = decode(data);
  // A regex stops at the first visible character; trim() would copy the whole record first.
  if (BLANK.test(text)) return { ok: false, reason: 'empty record' };
  const { results, pieces } = processText(text, process);
  if (pieces === null) {
    const result = results[0] as ProcessResult;
    if (!result.ok) return result;
    // The partition key becomes part of an S3 key: only a plain day may pass.
    if (!DAY.test(result.event.dt)) return { ok: false, reason: 'event has no valid day (dt)' };
    return { ok: true, events: [result.event], dt: result.event.dt, pieces: 1, pieceFailures: [] };
  }
  const events: WafEvent[] = [];
  const pieceFailures: string[] = [];
  const where = 'in this Firehose record';
  results.forEach((r, k) => {
    if (r.ok && DAY.test(r.event.dt)) events.push(r.event);
    else {
      const reason = r.ok ? 'event has no valid day (dt)' : r.reason;
      pieceFailures.push(pieceReason(reason, k, results.length, where));
    }
  });
  const first = events[0];
  if (!first)
    return {
      ok: false,
      reason: `${pieces.length} records back to back, none a WAF record: ${pieceFailures[0]}`,
    };
  const days = [...new Set(events.map((e) => e.dt))];
  if (days.length > 1)
    return {
      ok: false,
      reason: `${events.length} records back to back from ${days.length} days (${days.slice(0, 3).join(', ')}): one output record has one partition key`,
    };
  return { ok: true, events, dt: first.dt, pieces: pieces.length, pieceFailures };
}

// The smallest valid answer for a record: `data` is required even for a failure.
function failedEntry(recordId: string): FirehoseTransformationResultRecord {
  return { recordId, result: 'ProcessingFailed', data: '' };
}

// One scratch buffer for decoding and encoding, grown when a record needs more: the per-record
// Buffer allocations were a measurable share of the transform's own time.
let scratch = Buffer.allocUnsafe(64 * 1024);

function scratchFor(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.max(bytes, scratch.length * 2));
  return scratch;
}

function decode(base64: string): string {
  // base64 decodes to at most 3 bytes per 4 characters.
  const buf = scratchFor(Math.ceil((base64.length * 3) / 4));
  const n = buf.write(base64, 'base64');
  return buf.toString('utf8', 0, n);
}

/** base64 of each event's JSON + newline: Firehose concatenates records, the newline makes them JSON lines. */
function encodeLines(events: readonly WafEvent[]): string {
  if (events.length === 1) return encodeLine(eventJson(events[0] as WafEvent));
  return encodeLine(events.map((e) => eventJson(e)).join('\n'));
}

function encodeLine(json: string): string {
  const buf = scratchFor(json.length * 3 + 1);
  const n = buf.write(json, 'utf8');
  buf[n] = 0x0a;
  return buf.toString('base64', 0, n + 1);
}

function recordIdOf(raw: unknown): string {
  const id = (raw as { recordId?: unknown } | null)?.recordId;
  return typeof id === 'string' ? id : String(id);
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
