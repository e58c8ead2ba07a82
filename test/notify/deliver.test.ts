import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockKitViolations, type SlackMessage } from '../../src/notify/block-kit.js';
import {
  botDelivery,
  DEFAULT_RETRY,
  parseRetryAfter,
  type RetryOptions,
  webhookDelivery,
} from '../../src/notify/deliver.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const message: SlackMessage = {
  text: 'hello',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello', verbatim: true } }],
};
const fast: RetryOptions = {
  ...DEFAULT_RETRY,
  timeoutMs: 500,
  baseDelayMs: 20,
  maxDelayMs: 100,
  budgetMs: 8000,
  random: () => 1,
};

describe('webhook delivery against a real local HTTP server', () => {
  let server: WebhookServer;
  beforeAll(async () => {
    server = await startWebhookServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('posts the Block Kit JSON once when Slack answers 200', async () => {
    const result = await webhookDelivery(server.url('/ok'), fast).send(message);
    expect(result).toMatchObject({ ok: true, attempts: 1, status: 200, error: null, thread: null });
    const got = server.received.filter((r) => r.path === '/ok');
    expect(got).toHaveLength(1);
    expect(got[0]?.headers['content-type']).toBe('application/json');
    expect(got[0]?.json).toEqual(message);
    expect(blockKitViolations(got[0]?.json as SlackMessage)).toEqual([]);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    server.script('/429', { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    const result = await webhookDelivery(server.url('/429'), fast).send(message);
    expect(result).toMatchObject({ ok: true, attempts: 2, status: 200 });
    const [first, second] = server.received.filter((r) => r.path === '/429');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('retries 5xx with backoff and reports the failure when attempts run out', async () => {
    server.script('/500', ...Array.from({ length: 5 }, () => ({ status: 500, body: 'internal_error' })));
    const result = await webhookDelivery(server.url('/500'), { ...fast, maxAttempts: 3 }).send(message);
    expect(result).toMatchObject({ ok: false, attempts: 3, status: 500, error: 'HTTP 500: internal_error' });
    expect(server.received.filter((r) => r.path === '/500')).toHaveLength(3);
  });

  it('gives up on an answer that will not heal (404 no_service) without retrying', async () => {
    server.script('/gone', { status: 404, body: 'no_service' });
    const result = await webhookDelivery(server.url('/gone'), fast).send(message);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 404, error: 'HTTP 404: no_service' });
  });

  it('times out a server that never answers, retries, and succeeds when it does', async () => {
    server.script('/hang', 'hang', 'hang');
    const started = Date.now();
    const result = await webhookDelivery(server.url('/hang'), fast).send(message);
    expect(result).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * fast.timeoutMs - 50);
  });

  it('reports a timeout as a failure, never throws, and never names the URL', async () => {
    server.script('/secret-token-path', 'hang', 'hang');
    const result = await webhookDelivery(server.url('/secret-token-path'), { ...fast, maxAttempts: 2 }).send(
      message,
    );
    expect(result).toMatchObject({
      ok: false,
      attempts: 2,
      status: null,
      error: 'no response within 500 ms',
    });
    expect(JSON.stringify(result)).not.toContain('secret-token-path');
  });

  it('does not wait past its budget for a long Retry-After', async () => {
    server.script('/slow429', { status: 429, headers: { 'retry-after': '3600' } });
    const started = Date.now();
    const result = await webhookDelivery(server.url('/slow429'), fast).send(message);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^HTTP 429; next retry in 3600 s is past the 8 s budget$/);
  });

  it('reports a connection refused as a network error', async () => {
    const closed = await startWebhookServer();
    const url = closed.url('/x');
    await closed.close();
    const result = await webhookDelivery(url, { ...fast, maxAttempts: 2 }).send(message);
    expect(result).toMatchObject({
      ok: false,
      attempts: 2,
      status: null,
      error: 'network error: ECONNREFUSED',
    });
  });
});

describe('bot delivery (chat.postMessage) threads replies', () => {
  let server: WebhookServer;
  beforeAll(async () => {
    server = await startWebhookServer({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true,"channel":"C1","ts":"1700000000.000100"}',
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('returns the message ts and sends thread_ts on a reply', async () => {
    const bot = botDelivery({ token: 'xoxb-test', channel: 'C1', apiUrl: server.url('/api') }, fast);
    const first = await bot.send(message);
    expect(first).toMatchObject({ ok: true, thread: { channel: 'C1', ts: '1700000000.000100' } });
    await bot.send(message, first.thread?.ts);
    const [a, b] = server.received.filter((r) => r.path === '/api/chat.postMessage');
    expect(a?.headers.authorization).toBe('Bearer xoxb-test');
    expect(a?.json).toMatchObject({ channel: 'C1', text: 'hello' });
    expect(a?.json).not.toHaveProperty('thread_ts');
    expect(b?.json).toMatchObject({ channel: 'C1', thread_ts: '1700000000.000100' });
  });

  it('retries ratelimited and 429, fails at once on channel_not_found', async () => {
    server.script(
      '/api2/chat.postMessage',
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200, body: '{"ok":false,"error":"ratelimited"}' },
    );
    const ok = await botDelivery({ token: 't', channel: 'C1', apiUrl: server.url('/api2') }, fast).send(
      message,
    );
    expect(ok).toMatchObject({ ok: true, attempts: 3 });
    server.script('/api3/chat.postMessage', {
      status: 200,
      body: '{"ok":false,"error":"channel_not_found"}',
    });
    const bad = await botDelivery({ token: 't', channel: 'C1', apiUrl: server.url('/api3') }, fast).send(
      message,
    );
    expect(bad).toMatchObject({
      ok: false,
      attempts: 1,
      error: 'chat.postMessage: channel_not_found',
      thread: null,
    });
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
