import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WafEvent } from '../../schemas/event.js';
import { resolveWindow } from '../../src/analyze/run-analysis.js';
import { windowParams } from '../../src/analyze/window.js';
import { classifyRequest } from '../../src/classify/classify.js';
import { DuckDbEngine, inlineCtes } from '../../src/engines/duckdb.js';
import type { SqlValue } from '../../src/engines/query-engine.js';
import { bindParams, listSqlFiles, loadSqlFile, parseSqlFile } from '../../src/engines/sql-files.js';
import { processRecord } from '../../src/ingest/process.js';
import { eventFixture } from '../support/events.js';

const HOSTILE = [
  "'; DROP TABLE events; --",
  '\u001b[31mred\u001b[0m',
  '<script>alert(1)</script>',
  'nul\u0000byte',
  'lone\ud800surrogate',
  'x'.repeat(5000),
];

const T0 = Date.UTC(2026, 10, 20, 8);

function events(): WafEvent[] {
  const out: WafEvent[] = [];
  for (let i = 0; i < 50; i++) {
    out.push(
      classifyRequest(
        eventFixture({
          ts: T0 + i * 60_000,
          host: `site${i % 5}.example`,
          client_ip: `203.0.113.${i % 7}`,
          path: i % 2 ? '/wp-admin/async-upload.php' : `/wp-json/wp/v2/posts/${i}`,
          method: 'POST',
          wp_session: i % 3 === 0,
        }),
      ),
    );
  }
  HOSTILE.forEach((h, i) => {
    const result = processRecord({
      timestamp: T0 + i,
      webaclId: `arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/${h}/x`,
      terminatingRuleId: h,
      action: 'BLOCK',
      labels: [{ name: h }],
      terminatingRuleMatchDetails: [{ conditionType: 'XSS', matchedData: [h] }],
      httpRequest: {
        clientIp: h,
        country: h,
        uri: h,
        args: h,
        httpMethod: 'POST',
        headers: [
          { name: 'Host', value: h },
          { name: 'User-Agent', value: h },
          { name: 'Cookie', value: `${h}=1` },
        ],
      },
    });
    if (!result.ok) throw new Error(result.reason);
    out.push(result.event);
  });
  out.push(
    eventFixture({ ts: T0 + 1000, action: 'ALLOW', rule_action: null, rule_id: null, rule_group: null }),
  );
  return out;
}

function defaultsFor(name: string): Record<string, SqlValue> {
  const base = windowParams({ fromTs: T0 - 3_600_000, toTs: T0 + 86_400_000 });
  const out: Record<string, SqlValue> = {};
  for (const p of loadSqlFile(name).params) {
    out[p.name] =
      p.name in base
        ? (base[p.name] ?? null)
        : p.type === 'string'
          ? 'x'
          : p.type === 'boolean'
            ? false
            : p.type === 'double'
              ? 0.5
              : 10;
  }
  return out;
}

describe('queries/ on DuckDB', () => {
  let engine: DuckDbEngine;
  beforeAll(async () => {
    engine = await DuckDbEngine.create();
    await engine.loadEvents(events());
  });
  afterAll(() => engine.close());

  it('loads every event, hostile values included, as inert data', async () => {
    const rows = await engine.sql('SELECT count(*) AS n, count(DISTINCT host) AS hosts FROM events');
    expect(rows[0]).toEqual({ n: 57, hosts: 12 });
    const back = await engine.sql("SELECT host FROM events WHERE host LIKE '%drop table%'");
    expect(back).toEqual([{ host: "'; drop table events; --" }]);
  });

  for (const name of listSqlFiles()) {
    it(`${name}.sql runs with bound parameters`, async () => {
      const result = await engine.run(name, defaultsFor(name));
      expect(Array.isArray(result.rows)).toBe(true);
    });
  }

  it('counts --since back from the newest event, or from now on a live table', async () => {
    const fromData = await resolveWindow(engine, 10 * 60_000);
    expect(fromData.window.toTs).toBe(T0 + 49 * 60_000 + 1);
    expect(fromData.row.events).toBe(10);
    const live = await resolveWindow(engine, 60 * 60_000, T0 + 30 * 60_000);
    expect(live.window).toEqual({ fromTs: T0 - 30 * 60_000, toTs: T0 + 30 * 60_000 });
    expect(live.row.events).toBeGreaterThan(30);
  });

  it('binds a hostile value as data, never as SQL text', async () => {
    const params = { ...defaultsFor('top_rules'), from_dt: "2026-11-20' OR '1'='1" };
    const result = await engine.run('top_rules', params);
    expect(result.rows).toEqual([]);
    expect((await engine.sql('SELECT count(*) AS n FROM events'))[0]).toEqual({ n: 57 });
  });

  it('inlines every CTE of queries/ on DuckDB (a materialized copy of the events cost most of ip_profile)', async () => {
    for (const name of listSqlFiles()) {
      const text = loadSqlFile(name).text;
      const heads = text.match(/\bAS \(\s*$/gm) ?? [];
      const inlined = inlineCtes(text).match(/\bAS NOT MATERIALIZED \(\s*$/gm) ?? [];
      expect({ name, inlined: inlined.length }).toEqual({ name, inlined: heads.length });
    }
    // The rows a large result comes back as share their repeated texts and lists, read-only.
    const rows = (await engine.run('blocked_groups', defaultsFor('blocked_groups'))).rows;
    const lists = rows.map((r) => r.signals);
    expect(lists.length).toBeGreaterThan(1);
    expect(lists.every((l) => Object.isFrozen(l))).toBe(true);
  });

  it('gives the same rows read as JSON texts as read value by value, hostile values included', async () => {
    const byValue = await DuckDbEngine.create({ rowsAs: 'values' });
    try {
      await byValue.loadEvents(events());
      const sorted = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
      for (const name of listSqlFiles()) {
        const json = await engine.run(name, defaultsFor(name));
        const values = await byValue.run(name, defaultsFor(name));
        expect({ name, rows: sorted(json.rows) }).toEqual({ name, rows: sorted(values.rows) });
      }
      const hostile = await engine.run('blocked_groups', defaultsFor('blocked_groups'));
      expect(hostile.rows.some((r) => String(r.user_agent).includes('\u001b[31m'))).toBe(true);
    } finally {
      await byValue.close();
    }
  });

  it('every query declares its parameters, and a missing or mistyped value is refused', () => {
    expect(() => parseSqlFile('bad', '-- params: a:bigint\nSELECT ?, ?')).toThrow(
      /2 "\?" placeholders but 1/,
    );
    expect(() => bindParams(loadSqlFile('totals'), {})).toThrow(/has no value/);
    expect(() =>
      bindParams(loadSqlFile('top_rules'), { ...defaultsFor('top_rules'), max_rows: 'ten' }),
    ).toThrow(/must be bigint/);
    expect(() => loadSqlFile('../etc/passwd')).toThrow(/unknown query/);
  });
});
