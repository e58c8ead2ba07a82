import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3StateStore } from '../../adapters/s3-state-store.js';
import { writeFleet } from '../../fixtures/generator/index.js';
import { alertsOnce } from '../../functions/alerts/alerts.js';
import { digestOnce } from '../../functions/digest/digest.js';
import { readSettings, reportUrl } from '../../functions/digest/settings.js';
import { s3ReportSink } from '../../functions/digest/wiring.js';
import { loadLocal } from '../../src/analyze/local.js';
import type { DuckDbEngine } from '../../src/engines/duckdb.js';
import { blockKitViolations, type SlackMessage } from '../../src/notify/block-kit.js';
import { webhookDelivery } from '../../src/notify/deliver.js';
import { type LocalS3, startLocalS3 } from '../cloud/local-s3.js';
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
  let s3: LocalS3;
  let server: WebhookServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'waftune-fn-'));
    await writeFleet(join(dir, 'logs'), { seed: 3, day: '2025-05-01', days: 2, sites: 8, scale: 0.2 });
    engine = (await loadLocal([join(dir, 'logs')], { rejectsFile: null })).engine;
    s3 = await startLocalS3(['waftune-logs']);
    server = await startWebhookServer();
  });
  afterAll(async () => {
    await engine?.close();
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
});
