import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../fixtures/generator/index.js';
import { HOSTILE_STRINGS, hostileRecords } from '../../fixtures/hostile.js';
import { eventJson } from '../../functions/transform/event-json.js';
import { type ColumnType, EVENT_COLUMNS, type WafEvent } from '../../schemas/event.js';
import { processRecord } from '../../src/ingest/process.js';
import { awsDocExampleLines } from '../support/vendored.js';

/**
 * The transform writes each event with a serializer compiled from EVENT_COLUMNS instead of
 * JSON.stringify; Firehose (and the Parquet conversion behind it) must get exactly the same bytes.
 */

const examples = awsDocExampleLines().map((l) => JSON.parse(l) as Record<string, unknown>);
const records: unknown[] = [
  ...examples,
  ...examples.flatMap((e) => hostileRecords(e)),
  ...[...generateFleet({ seed: 3, day: '2026-09-01', scale: 0.05 })].slice(0, 2_000).map((g) => g.record),
];

function eventOf(record: unknown): WafEvent {
  const r = processRecord(record);
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 1_000)),
  fc.constantFrom('', '"', '\\', '\u2028', '\ud800', '\u007f', 'é', '</script>'),
);
const garbage = fc.constantFrom(undefined, 1.5, true, {}, [1], [null], 'x', 7);

const VALID: Record<ColumnType, fc.Arbitrary<unknown>> = {
  string: fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: fc.constant(null) }),
  bigint: fc.oneof(fc.maxSafeInteger(), fc.constant(null)),
  double: fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(-0, Number.NaN, Number.NEGATIVE_INFINITY, null),
  ),
  boolean: fc.oneof(fc.boolean(), fc.constant(null)),
  'array<string>': fc.oneof(fc.array(text, { maxLength: 4 }), fc.constant(null)),
};

/** Events of any values of their columns' types (escapes, lone surrogates, NaN, -0 ...). */
const typedEvent = fc.tuple(...EVENT_COLUMNS.map((c) => VALID[c.type])).map((values) => {
  const e: Record<string, unknown> = {};
  EVENT_COLUMNS.forEach((c, i) => {
    e[c.name] = values[i];
  });
  return e as unknown as WafEvent;
});

/** The same with one column of the wrong type, or missing. */
const offEvent = fc
  .tuple(typedEvent, fc.nat({ max: EVENT_COLUMNS.length - 1 }), garbage, fc.boolean())
  .map(([event, i, value, drop]) => {
    const e = { ...event } as unknown as Record<string, unknown>;
    const name = EVENT_COLUMNS[i]?.name as string;
    if (drop) delete e[name];
    else e[name] = value;
    return e as unknown as WafEvent;
  });

describe('eventJson', () => {
  it('writes exactly what JSON.stringify writes for every event of the examples, the hostile corpus and a fleet', () => {
    expect(records.length).toBeGreaterThan(2_000);
    for (const record of records) {
      const event = eventOf(record);
      expect(eventJson(event)).toBe(JSON.stringify(event));
    }
  });

  it('writes exactly what JSON.stringify writes for any values, escapes, lone surrogates and wrong types included', () => {
    fc.assert(
      fc.property(fc.oneof(typedEvent, offEvent), (event) => {
        expect(eventJson(event)).toBe(JSON.stringify(event));
      }),
      { numRuns: 3_000 },
    );
  });
});
