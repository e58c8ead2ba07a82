import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { ProcessResult } from '../../src/ingest/process.js';

/**
 * The Firehose transform, free of Lambda plumbing: one batch of Firehose records in, one response
 * out. Every input record gets exactly one output record with its recordId, in input order; a
 * record that cannot become an event is `ProcessingFailed` (Firehose keeps it under the error
 * prefix, and raw/ has every source record anyway), never dropped.
 */

/**
 * Lambda's synchronous response limit is 6 MB (6,291,456 bytes); stay clear of it so that the
 * runtime's own framing can never tip a batch over.
 */
export const RESPONSE_LIMIT_BYTES = 6_000_000;

export type Processor = (text: string) => ProcessResult;

export interface BatchFailure {
  recordId: string;
  reason: string;
}

export interface BatchOutcome {
  response: FirehoseTransformationResult;
  /** Records in, events out (Ok), records failed. */
  counts: { in: number; ok: number; failed: number };
  /** Ok events per verdict (`unclassified` when no rule matched). */
  byVerdict: Record<string, number>;
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

  input.forEach((raw, i) => {
    const recordId = ids[i] as string;
    const reserved = minimal[i] as number;
    const result = transformOne(raw, process);
    if (result.ok) {
      const data = encodeLine(JSON.stringify(result.event));
      const entry: FirehoseTransformationResultRecord = {
        recordId,
        result: 'Ok',
        data,
        metadata: { partitionKeys: { dt: result.event.dt } },
      };
      // base64 is ASCII and the day is checked: the entry's size is arithmetic, no second stringify.
      const size = OK_ENTRY_BYTES + (idBytes[i] as number) + data.length;
      if (used - reserved + size <= limit) {
        used += size - reserved;
        records.push(entry);
        ok++;
        const verdict = result.event.verdict ?? 'unclassified';
        byVerdict[verdict] = (byVerdict[verdict] ?? 0) + 1;
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
    byVerdict,
    failures,
    responseBytes: used,
  };
}

type OneResult =
  | { ok: true; event: Extract<ProcessResult, { ok: true }>['event'] }
  | { ok: false; reason: string };

function transformOne(raw: unknown, process: Processor): OneResult {
  const data = (raw as { data?: unknown } | null)?.data;
  if (typeof data !== 'string') return { ok: false, reason: 'record has no base64 data' };
  const text = decode(data);
  // A regex stops at the first visible character; trim() would copy the whole record first.
  if (BLANK.test(text)) return { ok: false, reason: 'empty record' };
  const result = process(text);
  if (!result.ok) return result;
  // The partition key becomes part of an S3 key: only a plain day may pass.
  if (!DAY.test(result.event.dt)) return { ok: false, reason: 'event has no valid day (dt)' };
  return result;
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

/** base64 of `json` + newline: Firehose concatenates records, the newline makes them JSON lines. */
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
