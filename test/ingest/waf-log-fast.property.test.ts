import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../fixtures/generator/index.js';
import { hostileRecords } from '../../fixtures/hostile.js';
import { wafLogRecordSchema } from '../../schemas/waf-log.js';
import { isWafLogRecord } from '../../schemas/waf-log-fast.js';
import { classifyRequest } from '../../src/classify/classify.js';
import { normalize } from '../../src/ingest/normalize.js';
import { notARecord, type ProcessResult, processRecord } from '../../src/ingest/process.js';
import { garbage, mutated, nearSchema } from '../support/near-schema.js';
import { awsDocExampleLines } from '../support/vendored.js';

/**
 * The hot path's compiled check must accept exactly what zod accepts, and what it hands on must
 * make the same event as zod's parsed value (zod drops unknown keys; the fast path keeps them, and
 * nothing downstream may notice).
 */

const examples = awsDocExampleLines().map((line) => JSON.parse(line) as Record<string, unknown>);
const generated = [...generateFleet({ seed: 11, day: '2026-09-01', scale: 0.05 })]
  .slice(0, 400)
  .map((g) => JSON.parse(JSON.stringify(g.record)) as unknown);
const hostile = examples.flatMap((e) => hostileRecords(e));
const realShapes = [...examples, ...generated, ...hostile];

/** processRecord as it was before the fast path: zod alone. */
function zodOnly(value: unknown): ProcessResult {
  const parsed = wafLogRecordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: notARecord(parsed.error) };
  try {
    return { ok: true, event: classifyRequest(normalize(parsed.data)) };
  } catch (error) {
    return { ok: false, reason: `could not normalize: ${(error as Error).message.slice(0, 120)}` };
  }
}

function holdsEqual(value: unknown): void {
  const zod = wafLogRecordSchema.safeParse(value);
  expect(isWafLogRecord(value), JSON.stringify(zod.error?.issues[0] ?? 'zod accepts')).toBe(zod.success);
  expect(processRecord(value)).toEqual(zodOnly(value));
}

describe('the compiled WAF record check', () => {
  it('accepts every real record shape: AWS examples, generated fleet records, the hostile corpus', () => {
    expect(examples).toHaveLength(6);
    expect(hostile.length).toBeGreaterThan(100);
    for (const record of realShapes) {
      expect(isWafLogRecord(record)).toBe(true);
      holdsEqual(record);
    }
  });

  it('agrees with zod on records generated near the schema boundary', () => {
    fc.assert(fc.property(nearSchema(wafLogRecordSchema), holdsEqual), { numRuns: 3000 });
  });

  it('agrees with zod on real records with fields deleted, retyped, nulled or added anywhere', () => {
    fc.assert(fc.property(mutated(realShapes), holdsEqual), { numRuns: 3000 });
  });

  it('agrees with zod on arbitrary JSON and on garbage', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), garbage), holdsEqual), { numRuns: 1000 });
  });

  it('agrees on the boundary cases named in the issue', () => {
    const base = structuredClone(examples[0]) as Record<string, unknown> & {
      httpRequest: Record<string, unknown>;
    };
    const cases: unknown[] = [
      { ...base, timestamp: '1795132800000' },
      { ...base, timestamp: 1.5 },
      { ...base, timestamp: -1 },
      { ...base, timestamp: 2 ** 53 },
      { ...base, timestamp: JSON.parse('1e400') },
      { ...base, timestamp: null },
      { ...base, webaclId: '' },
      { ...base, action: '' },
      { ...base, action: '\ud800' },
      { ...base, httpRequest: null },
      { ...base, httpRequest: { ...base.httpRequest, headers: [{ name: 'Host' }] } },
      { ...base, httpRequest: { ...base.httpRequest, headers: [{ value: 'x' }] } },
      { ...base, httpRequest: { ...base.httpRequest, headers: { name: 'Host', value: 'x' } } },
      { ...base, labels: [{ name: null }] },
      { ...base, clientAsn: '16509' },
      { ...base, clientAsn: true },
      { ...base, rateBasedRuleList: [[]] },
      { ...base, ruleGroupList: [{ ruleGroupId: 'x', terminatingRule: { ruleId: 'r' } }] },
      JSON.parse(`{"__proto__":{"timestamp":1},${JSON.stringify(base).slice(1)}`),
      JSON.parse(`{"__proto__":{"timestamp":1},"webaclId":"x"}`),
      [base],
      'record',
      null,
    ];
    for (const value of cases) holdsEqual(value);
  });

  it('hands on the input with its unknown keys, and normalize makes the same event as from zod’s copy', () => {
    const record = structuredClone(examples[2]) as Record<string, unknown> & {
      httpRequest: Record<string, unknown>;
    };
    record.brandNewField = { nested: [1, 2] };
    record.httpRequest.extra = 'x';
    const result = processRecord(record);
    expect(result.ok).toBe(true);
    const parsed = wafLogRecordSchema.parse(record);
    expect(parsed).not.toHaveProperty('brandNewField');
    expect(result).toEqual({ ok: true, event: classifyRequest(normalize(parsed)) });
  });
});
