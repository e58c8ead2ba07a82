import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockKitViolations, type SlackMessage } from '../../src/notify/block-kit.js';
import { DEFAULT_RETRY, type RetryOptions, webhookDelivery } from '../../src/notify/deliver.js';
import { type ReportSink, runDigest } from '../../src/notify/run-digest.js';
import { MemoryStateStore } from '../../src/notify/state-store.js';
import { makeDigest } from './digest-fixture.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const fast: RetryOptions = {
  ...DEFAULT_RETRY,
  timeoutMs: 300,
  baseDelayMs: 10,
  maxDelayMs: 50,
  budgetMs: 5000,
  random: () => 1,
};

describe('digest runs against a real local webhook', () => {
  let server: WebhookServer;
  let dir: string;
  beforeAll(async () => {
    server = await startWebhookServer();
    dir = mkdtempSync(join(tmpdir(), 'waftune-digest-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sink = (): ReportSink => ({
    async save(name, html) {
      const path = join(dir, name);
      writeFileSync(path, html);
      return { location: path, url: `https://reports.example.com/${name}` };
    },
  });

  it('writes the report, links it, and posts a message within Block Kit limits', async () => {
    const store = new MemoryStateStore();
    const result = await runDigest({
      data: makeDigest({ reportUrl: null }),
      store,
      report: sink(),
      delivery: webhookDelivery(server.url('/ok'), fast),
      now: new Date('2025-05-02T06:05:00Z'),
    });
    expect(result).toMatchObject({ day: '2025-05-02', delivered: true, resent: 0, pending: 0, errors: [] });
    expect(readFileSync(join(dir, 'waftune-digest-2025-05-02.html'), 'utf8')).toMatch(/^<!doctype html>/);
    const posted = server.received.find((r) => r.path === '/ok')?.json as SlackMessage;
    expect(blockKitViolations(posted)).toEqual([]);
    expect(JSON.stringify(posted)).toContain(
      '"url":"https://reports.example.com/waftune-digest-2025-05-02.html"',
    );
    expect(JSON.parse(store.items.get('digest/state.json') ?? '{}')).toEqual({
      version: 1,
      lastDigestAt: '2025-05-02T06:00:00.000Z',
      lastDelivered: true,
    });
    expect(store.items.has('digests/2025-05-02.json')).toBe(true);
  });

  it('never loses a digest: a failing webhook leaves it in the outbox, the next run sends it first', async () => {
    const store = new MemoryStateStore();
    server.script('/flaky', ...Array.from({ length: 3 }, () => ({ status: 503, body: 'unavailable' })));
    const delivery = webhookDelivery(server.url('/flaky'), { ...fast, maxAttempts: 3 });
    const failed = await runDigest({
      data: makeDigest(),
      store,
      report: sink(),
      delivery,
      now: new Date('2025-05-02T06:05:00Z'),
    });
    expect(failed).toMatchObject({ delivered: false, attempts: 3, pending: 1 });
    expect(failed.errors).toEqual([
      'Slack delivery failed after 3 attempts: HTTP 503: unavailable; kept for the next run',
    ]);

    const next = makeDigest();
    next.window = { from: '2025-05-02T06:00:00.000Z', to: '2025-05-03T06:00:00.000Z' };
    const ok = await runDigest({
      data: next,
      store,
      report: sink(),
      delivery,
      now: new Date('2025-05-03T06:05:00Z'),
    });
    expect(ok).toMatchObject({ delivered: true, resent: 1, pending: 0 });
    const texts = server.received
      .filter((r) => r.path === '/flaky' && r.json !== null)
      .map((r) => (r.json as SlackMessage).text);
    expect(texts.slice(-2)).toEqual([
      'waftune digest 2025-05-02: 30,000 blocked, 2,500 likely false positives, 5 pending suggestions',
      'waftune digest 2025-05-03: 30,000 blocked, 2,500 likely false positives, 5 pending suggestions',
    ]);
  });

  it('still sends the message when the report cannot be stored, and says so', async () => {
    const result = await runDigest({
      data: makeDigest({ reportUrl: null }),
      store: new MemoryStateStore(),
      report: {
        async save() {
          throw new Error('AccessDenied');
        },
      },
      delivery: webhookDelivery(server.url('/ok2'), fast),
      now: new Date('2025-05-02T06:05:00Z'),
    });
    expect(result).toMatchObject({
      delivered: true,
      report: null,
      errors: ['HTML report not saved: AccessDenied'],
    });
    expect(JSON.stringify(result.message)).not.toContain('"actions"');
  });
});
