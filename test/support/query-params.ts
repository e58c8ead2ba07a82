import { expect } from 'vitest';
import type { WafEvent } from '../../schemas/event.js';
import { windowParams } from '../../src/analyze/window.js';
import type { QueryEngine, SqlValue } from '../../src/engines/query-engine.js';
import { listSqlFiles, loadSqlFile } from '../../src/engines/sql-files.js';

const HOUR = 3_600_000;

/**
 * A value for every parameter any file of queries/ declares, chosen so that each query returns
 * rows over `events` (loaded into `engine`): the whole window, a front the data shows as trusted,
 * the top rule, blocked addresses, a split in the window's middle.
 */
export async function everyQueryParams(
  engine: QueryEngine,
  events: readonly WafEvent[],
): Promise<Record<string, SqlValue>> {
  const ts = events.map((e) => e.ts);
  const fromTs = Math.min(...ts);
  const toTs = Math.max(...ts) + 1;
  const front = events.find((e) => e.forwarded_ip !== null && e.forwarded_ip !== e.client_ip)?.client_ip;
  const [topRule] = (await engine.run('top_rules', { ...windowParams({ fromTs, toTs }), max_rows: 1 })).rows;
  const blocked = [...new Set(events.filter((e) => e.rule_action === 'BLOCK').map((e) => e.client_ip))];
  const mid = fromTs + Math.floor((toTs - fromTs) / 2);
  return {
    ...windowParams({ fromTs, toTs }),
    trusted_1: front ? `,${front},` : '',
    trusted_2: '',
    trusted_3: '',
    trusted_4: '',
    origin_ts: fromTs,
    bucket_ms: HOUR,
    max_rows: 1000,
    per_site: 1000,
    split_before: mid,
    split_before_blocked: mid,
    split_after: mid,
    split_after_blocked: mid,
    rule_group: String(topRule?.rule_group ?? ''),
    rule_id: String(topRule?.rule_id ?? ''),
    addresses: `,${blocked.slice(0, 40).join(',')},`,
  };
}

/** The query's parameters, by name, from a set of values for all of them. */
export function paramsOf(query: string, values: Record<string, SqlValue>): Record<string, SqlValue> {
  return Object.fromEntries(loadSqlFile(query).params.map((p) => [p.name, values[p.name] ?? null]));
}

/**
 * Every query of queries/ run on both engines with the same parameters: each returns rows, and
 * `actual` gives `expected`'s rows (in any order).
 */
export async function expectSameRowsEveryQuery(
  expected: QueryEngine,
  actual: QueryEngine,
  values: Record<string, SqlValue>,
): Promise<void> {
  const sorted = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  for (const name of listSqlFiles()) {
    const bound = paramsOf(name, values);
    const a = await expected.run(name, bound);
    const b = await actual.run(name, bound);
    expect(a.rows.length, name).toBeGreaterThan(0);
    expect({ name, rows: sorted(b.rows) }).toEqual({ name, rows: sorted(a.rows) });
  }
}
