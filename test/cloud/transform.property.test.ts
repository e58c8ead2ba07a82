import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESPONSE_LIMIT_BYTES, transformBatch } from '../../functions/transform/transform.js';
import { processRecordText } from '../../src/ingest/process.js';
import { processText } from '../../src/ingest/process-text.js';
import { exampleRecords, firehoseEvent } from './firehose.js';

const examples = exampleRecords();

/** Record payloads: valid records (some made long), mangled ones, and arbitrary bytes or text. */
const payload: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(...examples).map((t) => Buffer.from(t)),
  fc.tuple(fc.constantFrom(...examples), fc.nat({ max: 20_000 })).map(([t, n]) => {
    const r = JSON.parse(t) as { httpRequest: { uri: string } };
    r.httpRequest.uri = `/${'u'.repeat(n)}`;
    return Buffer.from(JSON.stringify(r));
  }),
  fc.tuple(fc.constantFrom(...examples), fc.nat()).map(([t, cut]) => Buffer.from(t.slice(0, cut % t.length))),
  // Several records in one, back to back or one per line, the same record or different days.
  fc
    .tuple(
      fc.array(fc.constantFrom(...examples), { minLength: 2, maxLength: 4 }),
      fc.constantFrom('', '\n', ' '),
    )
    .map(([texts, sep]) => Buffer.from(texts.join(sep))),
  fc
    .tuple(fc.constantFrom(...examples), fc.integer({ min: 2, max: 5 }))
    .map(([t, n]) => Buffer.from(t.repeat(n))),
  fc.string({ unit: 'binary' }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 2_000 }).map((a) => Buffer.from(a)),
);

const recordId = fc.string({ unit: 'binary', minLength: 1, maxLength: 80 });

const batch = fc.array(fc.tuple(recordId, payload), { maxLength: 60 }).map((rows) =>
  rows.map(
    ([id, data]): FirehoseTransformationEventRecord => ({
      recordId: id,
      approximateArrivalTimestamp: 0,
      data: data.toString('base64'),
    }),
  ),
);

function reserveFor(records: FirehoseTransformationEventRecord[]): number {
  const minimal = records.map((r) =>
    Buffer.byteLength(JSON.stringify({ recordId: r.recordId, result: 'ProcessingFailed', data: '' })),
  );
  return 14 + Math.max(0, records.length - 1) + minimal.reduce((a, b) => a + b, 0);
}

describe('Firehose transform, for any batch', () => {
  it('answers every recordId exactly once, in order, within the size limit', () => {
    fc.assert(
      fc.property(batch, fc.nat({ max: 200_000 }), (records, slack) => {
        // Any limit the batch can be answered in at all, from "barely" to the real 6 MB.
        const limit = Math.min(RESPONSE_LIMIT_BYTES, reserveFor(records) + slack);
        const { response, counts, responseBytes } = transformBatch(
          firehoseEvent(records),
          processRecordText,
          limit,
        );

        expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
        const bytes = Buffer.byteLength(JSON.stringify(response));
        expect(bytes).toBe(responseBytes);
        expect(bytes).toBeLessThanOrEqual(limit);
        expect(counts.in).toBe(records.length);
        expect(counts.ok + counts.failed).toBe(records.length);
        for (const out of response.records) {
          expect(['Ok', 'ProcessingFailed']).toContain(out.result);
          if (out.result === 'Ok') expect(out.metadata?.partitionKeys?.dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fails a record only when it is not a WAF record or did not fit', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const { response, events } = transformBatch(firehoseEvent(records), processRecordText);
        let lines = 0;
        response.records.forEach((out, i) => {
          const text = Buffer.from(records[i]?.data ?? '', 'base64').toString('utf8');
          // Each record in the data on its own: Ok when some are WAF records, all of one day.
          const { results } = processText(text, processRecordText);
          const days = new Set(results.flatMap((r) => (r.ok ? [r.event.dt] : [])));
          expect(out.result).toBe(days.size === 1 ? 'Ok' : 'ProcessingFailed');
          if (out.result === 'Ok') {
            const written = Buffer.from(out.data ?? '', 'base64')
              .toString('utf8')
              .split('\n')
              .slice(0, -1);
            expect(written).toHaveLength(results.filter((r) => r.ok).length);
            lines += written.length;
          }
        });
        expect(events).toBe(lines);
      }),
      { numRuns: 200 },
    );
  });
});
