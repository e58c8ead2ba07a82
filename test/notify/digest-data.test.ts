import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../fixtures/generator/index.js';
import { DEFAULT_CONFIG } from '../../schemas/config.js';
import type { Decision } from '../../schemas/decision.js';
import { foldGroups } from '../../src/analyze/fleet.js';
import { loadLocal } from '../../src/analyze/local.js';
import type { BlockedGroupRow, IpProfileRow } from '../../src/analyze/query-rows.js';
import { NO_TRUSTED_FRONTS } from '../../src/analyze/trusted-proxies.js';
import { windowParams } from '../../src/analyze/window.js';
import type { DuckDbEngine } from '../../src/engines/duckdb.js';
import type { QueryEngine, Row, SqlValue } from '../../src/engines/query-engine.js';
import { alertWindowEnd, buildAlertInput } from '../../src/notify/alert-data.js';
import { blockKitViolations } from '../../src/notify/block-kit.js';
import { digestBlocks } from '../../src/notify/digest-blocks.js';
import { buildDigestData } from '../../src/notify/digest-data.js';
import { htmlReport } from '../../src/notify/html-report.js';
import { DEFAULT_SPIKE_CONFIG, detectAlerts } from '../../src/notify/spikes.js';
import type { ChangeRecord } from '../../src/waf/audit.js';

const DAY = 86_400_000;

describe('digest and alert data from a generated fleet on DuckDB', () => {
  let dir: string;
  let engine: DuckDbEngine;
  let close: () => Promise<void> = async () => {};
  let toTs: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'waftune-digest-data-'));
    await writeFleet(join(dir, 'logs'), { seed: 11, day: '2025-05-01', days: 3, sites: 12, scale: 0.2 });
    const load = await loadLocal([join(dir, 'logs')], { rejectsFile: null });
    engine = load.engine;
    close = load.close;
    toTs = Date.UTC(2025, 4, 4);
  });
  afterAll(async () => {
    // The load's close removes its work folder (the DuckDB file) too.
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The last 6 hours in 5-minute buckets, as `waftune watch` asks for them. */
  const alertOptions = () => ({
    engine,
    toTs: alertWindowEnd(toTs + 5 * 60_000, 5),
    config: DEFAULT_CONFIG,
    spike: DEFAULT_SPIKE_CONFIG,
    buckets: 73,
    changes: [],
    fallbackCommand: 'waftune suggest logs --since 6h',
  });

  /** The day before toTs, nothing applied or decided, as `waftune digest` asks for it. */
  const digestOptions = (e: QueryEngine = engine) => ({
    engine: e,
    toTs,
    timeZone: 'UTC',
    now: new Date(toTs + 60_000),
    config: DEFAULT_CONFIG,
    changes: [],
    lastDigestAt: null,
  });

  it('builds the day with the final verdicts `analyze` gives the same window', async () => {
    const { data, suggestions } = await buildDigestData(digestOptions());
    // `analyze`'s own path over the same window: blocked_groups.sql folded with ip_profile.sql.
    const params = { ...windowParams({ fromTs: toTs - DAY, toTs }), ...NO_TRUSTED_FRONTS.params };
    const rows = await engine.run<BlockedGroupRow & Record<string, unknown>>('blocked_groups', {
      ...params,
      origin_ts: toTs - DAY,
      bucket_ms: DAY,
    });
    const ips = await engine.run<IpProfileRow & Record<string, unknown>>('ip_profile', params);
    let fp = 0;
    for (const g of foldGroups(rows.rows, new Map(ips.rows.map((r) => [r.client_ip, r])))) {
      if (g.rule_action === 'BLOCK' && g.final.verdict === 'likely-false-positive') fp += g.requests;
    }
    expect(data.totals.blockedByVerdict['likely-false-positive']).toBe(fp);
    expect(fp).toBeGreaterThan(0);
    expect(data.previousDays).toBe(2);
    expect(data.blocksOverTime).toHaveLength(24);
    const hourlyBlocked = data.blocksOverTime.reduce(
      (a, h) => a + h['likely-false-positive'] + h['likely-attack'] + h.uncertain + h.unclassified,
      0,
    );
    expect(hourlyBlocked).toBe(data.totals.blocked);
    expect(data.fpCandidates.length).toBeGreaterThan(0);
    expect(data.attackSources.length).toBeGreaterThan(0);
    expect(data.pendingSuggestions.map((p) => p.applyCommand)).toEqual(
      suggestions.map((s) => `waftune apply ${s.id}`),
    );
    expect(data.fpCandidates.some((c) => c.suggestionId !== null)).toBe(true);

    const message = digestBlocks(data);
    expect(blockKitViolations(message)).toEqual([]);
    expect(htmlReport(data)).toContain('<svg class="chart" id="chart-over-time"');
  });

  it('gives the same day and alerts whatever order the engine returns its rows in', async () => {
    // DuckDB's parallel aggregates return groups in an order that changes from run to run; the
    // signals and reasons of an IP block were listed in that order.
    const reordered = (order: (rows: readonly unknown[]) => unknown[]): QueryEngine => ({
      name: 'duckdb',
      run: async <R extends Row = Row>(query: string, params?: Record<string, SqlValue>) => {
        const result = await engine.run<R>(query, params);
        return { ...result, rows: order(result.rows) as R[] };
      },
      close: async () => {},
    });
    let seed = 7;
    const shuffle = (rows: readonly unknown[]) => {
      const out = [...rows];
      for (let i = out.length - 1; i > 0; i--) {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        const j = seed % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    };
    const day = async (e: QueryEngine) => {
      const { data, suggestions } = await buildDigestData(digestOptions(e));
      const alerts = await buildAlertInput({ ...alertOptions(), engine: e });
      return JSON.stringify({ data, suggestions, alerts, detected: detectAlerts(alerts.input) });
    };
    const asReturned = await day(engine);
    expect(await day(reordered((rows) => [...rows].reverse()))).toBe(asReturned);
    expect(await day(reordered(shuffle))).toBe(asReturned);
    expect(asReturned).toContain('"kind":"ip-block"');
  });

  it('reports an applied override as applied, with blocks before and after it, and no longer pending', async () => {
    const first = await buildDigestData({ ...digestOptions(), now: new Date(toTs) });
    const override = first.data.pendingSuggestions.find(
      (p) => p.suggestion.kind === 'rule-override',
    )?.suggestion;
    expect(override).toBeDefined();
    if (!override) return;
    const appliedAt = new Date(toTs - 12 * 3_600_000).toISOString();
    const record: ChangeRecord = {
      header: {
        version: 1,
        id: '20250503-120000-abcd',
        kind: 'apply',
        createdAt: appliedAt,
        actor: { user: 'ops' },
        suggestions: [override],
        targets: ['arn'],
      },
      entries: [
        {
          seq: 0,
          at: appliedAt,
          target: {
            type: 'web-acl',
            name: 'fleet-eu',
            id: 'x',
            arn: 'arn',
            scope: 'REGIONAL',
            region: 'eu-west-1',
          },
          status: 'applied',
          suggestionIds: [override.id],
        },
      ],
    };
    const { data } = await buildDigestData({ ...digestOptions(), now: new Date(toTs), changes: [record] });
    expect(data.pendingSuggestions.map((p) => p.suggestion.id)).not.toContain(override.id);
    expect(data.appliedChanges).toHaveLength(1);
    const change = data.appliedChanges[0];
    expect(change).toMatchObject({
      changeId: '20250503-120000-abcd',
      suggestionId: override.id,
      kind: 'rule-override',
      windowHours: 12,
      webAcls: ['fleet-eu'],
    });
    // The generated logs do not know about the override: its requests go on being blocked, which the digest shows.
    expect((change?.blockedBefore ?? 0) + (change?.blockedAfter ?? 0)).toBeGreaterThan(0);
  });

  it('turns the last 6 hours into per-site series whose blocks add up to the table', async () => {
    const end = alertWindowEnd(toTs + 5 * 60_000, 5);
    const { input } = await buildAlertInput(alertOptions());
    expect(input.series.length).toBeGreaterThan(0);
    const from = end - 73 * 5 * 60_000;
    const [row] = await engine.sql(
      `SELECT count(*) AS n FROM events WHERE rule_action = 'BLOCK' AND rule_id IS NOT NULL AND ts >= ${from} AND ts < ${end}`,
    );
    const blocked = Number(row?.n);
    expect(blocked).toBeGreaterThan(0);
    const seriesBlocked = input.series.reduce((a, s) => a + s.blocked.reduce((x, y) => x + y, 0), 0);
    expect(seriesBlocked).toBe(blocked);
    // Every series keeps its blocks per request too (for exact scope matching), adding up the same.
    for (const s of input.series) {
      const perBucket = new Array<number>(73).fill(0);
      for (const r of s.requests ?? []) perBucket[r.bucket] = (perBucket[r.bucket] ?? 0) + r.blocked;
      expect(perBucket).toEqual(s.blocked);
    }
    for (const alert of detectAlerts(input))
      expect(alert.command).toMatch(/^waftune (apply \S+|suggest logs --since 6h)$/);
  });

  it('a declined suggestion is neither pending in the digest nor named as a fix by the alerts', async () => {
    const before = await buildAlertInput(alertOptions());
    const target = before.input.suggestions[0];
    expect(target).toBeDefined();
    const day = await buildDigestData(digestOptions());
    const pending = day.data.pendingSuggestions.map((p) => p.suggestion);
    const declined = pending.find((p) => p.id === target?.id) ?? pending[0];
    if (!target || !declined) throw new Error('the fleet has no suggestion to decline');
    const decisions: Decision[] = [target, declined].map((s, i) => ({
      version: 1,
      id: `dec-20250504-000000-000${i}`,
      kind: 'decline',
      suggestionId: s.id,
      at: '2025-05-04T00:00:00.000Z',
      by: { user: 'alice' },
      reason: null,
      until: '2025-06-04T00:00:00.000Z',
      evidence: null,
      suggestion: null,
    }));
    const now = new Date(toTs + 60_000);
    const after = await buildAlertInput({ ...alertOptions(), decisions, now });
    expect(after.input.suggestions.map((s) => s.id)).not.toContain(target.id);
    for (const alert of detectAlerts(after.input)) expect(alert.command).not.toContain(target.id);

    const { data } = await buildDigestData({ ...digestOptions(), now, decisions });
    expect(data.pendingSuggestions.map((p) => p.suggestion.id)).not.toContain(declined.id);
    expect(data.decisions?.held.map((h) => h.suggestionId)).toContain(declined.id);
    const message = digestBlocks(data);
    expect(JSON.stringify(message)).toContain('declined');
    expect(blockKitViolations(message)).toEqual([]);
    expect(htmlReport(data)).toContain('Declined suggestions');
  });
});
