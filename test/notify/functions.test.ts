import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3AuditStore } from '../../adapters/audit-store-s3.js';
import { S3StateStore } from '../../adapters/s3-state-store.js';
import { writeFleet } from '../../fixtures/generator/index.js';
import { alertsOnce } from '../../functions/alerts/alerts.js';
import { digestOnce } from '../../functions/digest/digest.js';
import { readSettings, reportUrl } from '../../functions/digest/settings.js';
import { s3ReportSink } from '../../functions/digest/wiring.js';
import { DEFAULT_CONFIG } from '../../schemas/config.js';
import type { RuleOverride, Suggestion } from '../../schemas/suggestion.js';
import { loadLocal } from '../../src/analyze/local.js';
import type { DuckDbEngine } from '../../src/engines/duckdb.js';
import { alertWindowEnd, buildAlertInput } from '../../src/notify/alert-data.js';
import { blockKitViolations, type SlackMessage } from '../../src/notify/block-kit.js';
import { webhookDelivery } from '../../src/notify/deliver.js';
import { buildDigestData } from '../../src/notify/digest-data.js';
import { DEFAULT_SPIKE_CONFIG } from '../../src/notify/spikes.js';
import { type AuditStore, newChangeId } from '../../src/waf/audit.js';
import { ChangeRun } from '../../src/waf/change-run.js';
import { type LocalS3, startLocalS3 } from '../cloud/local-s3.js';
import { override as overrideSuggestion } from '../waf/suggestions.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const env = {
  WAFTUNE_BUCKET: 'waftune-logs',
  WAFTUNE_ATHENA_WORKGROUP: 'waftune-dev',
  WAFTUNE_ATHENA_DATABASE: 'waftune_dev',
  AWS_REGION: 'eu-west-1',
};

describe('notify function settings', () => {
  it('validates the environment once, with every problem named', () => {
    expect(readSettings(env)).toMatchObject({
      WAFTUNE_TIME_ZONE: 'UTC',
      WAFTUNE_ALERT_INTERVAL_MINUTES: 5,
      WAFTUNE_STATE_PREFIX: 'notify/state/',
    });
    expect(() =>
      readSettings({ ...env, WAFTUNE_TIME_ZONE: 'Mars/Olympus', WAFTUNE_ALERT_INTERVAL_MINUTES: '0' }),
    ).toThrow(/WAFTUNE_TIME_ZONE: not an IANA time zone; WAFTUNE_ALERT_INTERVAL_MINUTES: /);
  });

  it('links a report under the base URL, or on its S3 console page', () => {
    const key = 'notify/reports/waftune-digest-2025-05-02.html';
    expect(
      reportUrl(readSettings({ ...env, WAFTUNE_REPORT_BASE_URL: 'https://reports.example.com/' }), key),
    ).toBe('https://reports.example.com/notify/reports/waftune-digest-2025-05-02.html');
    expect(reportUrl(readSettings(env), key)).toBe(
      'https://eu-west-1.console.aws.amazon.com/s3/object/waftune-logs?region=eu-west-1&prefix=notify%2Freports%2Fwaftune-digest-2025-05-02.html',
    );
  });
});

describe('digest and alerts functions (DuckDB for Athena, s3rver for S3, a local webhook for Slack)', () => {
  let dir: string;
  let engine: DuckDbEngine;
  let close: () => Promise<void> = async () => {};
  let s3: LocalS3;
  let server: WebhookServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'waftune-fn-'));
    await writeFleet(join(dir, 'logs'), { seed: 3, day: '2025-05-01', days: 2, sites: 8, scale: 0.2 });
    const load = await loadLocal([join(dir, 'logs')], { rejectsFile: null });
    engine = load.engine;
    close = load.close;
    s3 = await startLocalS3(['waftune-logs']);
    server = await startWebhookServer();
  });
  afterAll(async () => {
    // The load's close removes its work folder (the DuckDB file) too.
    await close();
    await s3?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('digest: report in S3, linked from the message; a dead webhook leaves it in the outbox and the run still ends well', async () => {
    const settings = readSettings(env);
    const store = new S3StateStore(s3.client, 'waftune-logs', settings.WAFTUNE_STATE_PREFIX);
    const report = s3ReportSink(s3.client, settings);
    server.script('/dead', ...Array.from({ length: 3 }, () => ({ status: 500 })));
    const dead = webhookDelivery(server.url('/dead'), {
      timeoutMs: 500,
      maxAttempts: 3,
      baseDelayMs: 10,
      maxDelayMs: 20,
      budgetMs: 5000,
    });
    const failed = await digestOnce(
      { engine, store, report, delivery: dead },
      { now: new Date('2025-05-03T00:10:00Z'), timeZone: 'UTC' },
    );
    expect(failed).toMatchObject({ day: '2025-05-03', delivered: false, pending: 1 });
    const html = await s3.client.send(
      new GetObjectCommand({ Bucket: 'waftune-logs', Key: 'notify/reports/waftune-digest-2025-05-03.html' }),
    );
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    expect(await html.Body?.transformToString()).toMatch(/^<!doctype html>/);
    expect(await store.get('outbox/pending.json')).toContain('"id": "digest-2025-05-03"');

    const ok = webhookDelivery(server.url('/ok'));
    const next = await digestOnce(
      { engine, store, report, delivery: ok },
      { now: new Date('2025-05-03T00:20:00Z'), timeZone: 'UTC' },
    );
    // The same day again: the fresh digest replaces the pending copy instead of both going out.
    expect(next).toMatchObject({ delivered: true, resent: 0, pending: 0 });
    const posted = server.received.filter((r) => r.path === '/ok').map((r) => r.json as SlackMessage);
    expect(posted).toHaveLength(1);
    for (const m of posted) {
      expect(blockKitViolations(m)).toEqual([]);
      expect(JSON.stringify(m)).toContain('https://eu-west-1.console.aws.amazon.com/s3/object/waftune-logs');
    }
  });

  it('alerts: checks the window, keeps its state in S3 and sends nothing twice', async () => {
    const store = new S3StateStore(s3.client, 'waftune-logs', 'alerts-test/');
    const delivery = webhookDelivery(server.url('/alerts'));
    const options = { timeZone: 'UTC', intervalMinutes: 15, bucketMinutes: 5, windowHours: 6 };
    const first = await alertsOnce(
      { engine, store, delivery },
      { ...options, now: new Date('2025-05-03T00:05:00Z') },
    );
    expect(first.failed).toBe(0);
    expect(await store.get('alerts/state.json')).toContain('"version": 1');
    const again = await alertsOnce(
      { engine, store, delivery },
      { ...options, now: new Date('2025-05-03T00:06:00Z') },
    );
    expect(again.sent).toBe(0);
    expect(again.suppressed).toBe(first.sent);
  });

  /** What `waftune apply --audit s3://<bucket>/changes/` records: the suggestion, applied on one web ACL. */
  async function recordApply(audit: AuditStore, suggestion: Suggestion, at: Date): Promise<string> {
    const id = newChangeId(at);
    const run = await ChangeRun.start(
      audit,
      {
        version: 1,
        id,
        kind: 'apply',
        createdAt: at.toISOString(),
        actor: { user: 'ops' },
        suggestions: [suggestion],
        targets: ['arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/fleet-eu/1'],
      },
      () => at,
    );
    await run.add({
      target: {
        type: 'web-acl',
        name: 'fleet-eu',
        id: '1',
        arn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/fleet-eu/1',
        scope: 'REGIONAL',
        region: 'eu-west-1',
      },
      status: 'applied',
      suggestionIds: [suggestion.id],
    });
    await run.finish();
    return id;
  }

  it('digest: reads the change history in S3, so an applied suggestion is reported as applied, not pending', async () => {
    const settings = readSettings(env);
    const audit = new S3AuditStore(s3.client, 'waftune-logs', 'history-digest/changes/');
    const now = new Date('2025-05-03T00:10:00Z');
    const toTs = Date.UTC(2025, 4, 3);
    const { suggestions } = await buildDigestData({
      engine,
      toTs,
      timeZone: 'UTC',
      now,
      config: DEFAULT_CONFIG,
      changes: [],
      lastDigestAt: null,
    });
    const applied = suggestions[0];
    expect(applied).toBeDefined();
    if (!applied) return;
    const changeId = await recordApply(audit, applied, new Date(toTs - 6 * 3_600_000));
    const deps = {
      engine,
      store: new S3StateStore(s3.client, 'waftune-logs', 'history-digest/state/'),
      report: s3ReportSink(s3.client, settings),
      delivery: webhookDelivery(server.url('/digest-history')),
      audit,
    };
    const result = await digestOnce(deps, { now, timeZone: 'UTC' });
    expect(result).toMatchObject({ delivered: true, history: { location: audit.location, problem: null } });
    expect(result.history.records.map((r) => r.header.id)).toEqual([changeId]);
    const text = JSON.stringify(server.received.filter((r) => r.path === '/digest-history').at(-1)?.json);
    expect(text).toContain(changeId);
    expect(text).not.toContain(`waftune apply ${applied.id}`);
    expect(text).toContain(`waftune apply ${suggestions[1]?.id}`);
  });

  it('alerts: an override applied from the CLI whose requests are still blocked is called out from the S3 history', async () => {
    const audit = new S3AuditStore(s3.client, 'waftune-logs', 'history-alerts/changes/');
    const now = new Date('2025-05-03T00:05:00Z');
    const options = { timeZone: 'UTC', intervalMinutes: 15, bucketMinutes: 5, windowHours: 6 };
    // A request shape the generated logs go on blocking to the end of the window.
    const toTs = alertWindowEnd(now.getTime(), 5);
    const buckets = 75;
    const { input } = await buildAlertInput({
      engine,
      toTs,
      config: DEFAULT_CONFIG,
      spike: { ...DEFAULT_SPIKE_CONFIG, checkBuckets: 3 },
      buckets,
      changes: [],
      fallbackCommand: 'x',
    });
    const candidates = input.series.flatMap((s) =>
      (s.requests ?? []).map((r) => ({
        s,
        r,
        late: (s.requests ?? []).filter(
          (o) => o.method === r.method && o.path === r.path && o.query === r.query && o.bucket >= 60,
        ),
      })),
    );
    const pick = candidates.find(
      ({ late }) => late.some((o) => o.bucket >= buckets - 3) && late.reduce((a, o) => a + o.blocked, 0) >= 5,
    );
    expect(pick).toBeDefined();
    if (!pick) return;
    const suggestion: RuleOverride = {
      ...overrideSuggestion('ro-from-cli', ['fleet-eu']),
      ruleGroup: pick.s.ruleGroup ?? 'AWS#AWSManagedRulesCommonRuleSet',
      ruleId: pick.s.ruleId,
      scope: {
        methods: [pick.r.method],
        paths: [{ match: 'EXACTLY', value: pick.r.path }],
        hosts: [pick.s.host.toLowerCase()],
      },
    };
    // Applied when bucket 48 began: after the grace, buckets 60 on count against it.
    const changeId = await recordApply(audit, suggestion, new Date(toTs - (buckets - 48) * 5 * 60_000));
    const result = await alertsOnce(
      {
        engine,
        store: new S3StateStore(s3.client, 'waftune-logs', 'history-alerts/state/'),
        delivery: webhookDelivery(server.url('/alerts-history')),
        audit,
      },
      { ...options, now },
    );
    expect(result.history.records).toHaveLength(1);
    expect(result.failed).toBe(0);
    const sent = server.received
      .filter((r) => r.path === '/alerts-history')
      .map((r) => JSON.stringify(r.json));
    expect(sent.some((m) => m.includes(changeId))).toBe(true);
  });

  it('a history that cannot be read does not stop the digest; the run says what it could not do', async () => {
    const settings = readSettings(env);
    const broken: AuditStore = {
      location: 's3://waftune-logs/changes/',
      begin: async () => {},
      record: async () => {},
      finish: async () => {},
      get: async () => undefined,
      list: async () => {
        throw new Error('Access Denied');
      },
    };
    const result = await digestOnce(
      {
        engine,
        store: new S3StateStore(s3.client, 'waftune-logs', 'history-broken/state/'),
        report: s3ReportSink(s3.client, settings),
        delivery: webhookDelivery(server.url('/digest-broken')),
        audit: broken,
      },
      { now: new Date('2025-05-03T00:10:00Z'), timeZone: 'UTC' },
    );
    expect(result.delivered).toBe(true);
    expect(result.history.problem).toContain(
      'cannot read the change history in s3://waftune-logs/changes/ (Access Denied)',
    );
    expect(result.warnings).toContain(result.history.problem);
  });
});
