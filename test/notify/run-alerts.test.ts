import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../schemas/alert.js';
import { alertMessage } from '../../src/notify/alert-blocks.js';
import { planAlerts } from '../../src/notify/alert-policy.js';
import { blockKitViolations, type SlackMessage } from '../../src/notify/block-kit.js';
import { botDelivery, DEFAULT_RETRY, type RetryOptions, webhookDelivery } from '../../src/notify/deliver.js';
import { runAlerts } from '../../src/notify/run-alerts.js';
import { alertKey } from '../../src/notify/spikes.js';
import { MemoryStateStore } from '../../src/notify/state-store.js';
import { HOSTILE } from './digest-fixture.js';
import { activeMrkdwn, messageTexts } from './mrkdwn-check.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const fast: RetryOptions = {
  ...DEFAULT_RETRY,
  timeoutMs: 500,
  baseDelayMs: 10,
  maxDelayMs: 50,
  budgetMs: 5000,
  random: () => 1,
};
const ZONE = 'UTC';
const t = (minutes: number) => new Date(Date.UTC(2025, 4, 2, 8, 0) + minutes * 60_000);

function alert(host: string, count: number, at: Date, overrides: Partial<Alert> = {}): Alert {
  const scope = {
    host,
    ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
    ruleId: 'SizeRestrictions_BODY',
    path: '/wp-admin/post.php',
  };
  return {
    key: alertKey('fp-spike', scope),
    kind: 'fp-spike',
    scope,
    at: new Date(at.getTime() - 5 * 60_000).toISOString(),
    bucketMinutes: 5,
    count,
    baseline: 2,
    z: 12.3,
    sites: 1,
    hosts: [host],
    appliedAt: null,
    ruleUpdate: null,
    changeId: null,
    suggestionId: 'ro-abc123',
    command: 'waftune apply ro-abc123',
    summary: `${count} likely false-positive blocks on ${host}`,
    ...overrides,
  };
}

const texts = (m: SlackMessage) =>
  messageTexts(m)
    .map((x) => x.text)
    .join('\n');

describe('alert runs against a real local webhook (no threading)', () => {
  let server: WebhookServer;
  beforeAll(async () => {
    server = await startWebhookServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const posts = (path: string) =>
    server.received.filter((r) => r.path === path).map((r) => r.json as SlackMessage);

  it('sends a spike once, stays quiet within the 2 h cooldown, reminds after it', async () => {
    const store = new MemoryStateStore();
    const delivery = webhookDelivery(server.url('/hook1'), fast);
    const run = (minutes: number, alerts: Alert[]) =>
      runAlerts({ alerts, store, delivery, now: t(minutes), timeZone: ZONE });

    const first = await run(0, [alert('blog.example', 60, t(0))]);
    expect(first).toMatchObject({ detected: 1, sent: 1, suppressed: 0, failed: 0 });
    const [message] = posts('/hook1');
    expect(message?.blocks[0]).toMatchObject({ type: 'header', text: { text: 'False-positive spike' } });
    expect(texts(message as SlackMessage)).toContain(
      '*Fix* suggestion `ro-abc123`: `waftune apply ro-abc123`',
    );
    expect(blockKitViolations(message as SlackMessage)).toEqual([]);

    expect(await run(5, [alert('blog.example', 80, t(5))])).toMatchObject({ sent: 0, suppressed: 1 });
    expect(await run(60, [])).toMatchObject({ sent: 0, resolved: 0 }); // gone: no thread to say so in
    expect(await run(90, [alert('blog.example', 70, t(90))])).toMatchObject({ sent: 0, suppressed: 1 }); // back within 2 h of the last message
    expect(posts('/hook1')).toHaveLength(1);

    const reminder = await run(125, [alert('blog.example', 90, t(125))]);
    expect(reminder).toMatchObject({ sent: 1 });
    expect(posts('/hook1')[1]?.blocks[0]).toMatchObject({
      text: { text: 'Still going: False-positive spike' },
    });
  });

  it('a failed send is not recorded as sent: the next run tries again, and the failure is reported', async () => {
    const store = new MemoryStateStore();
    server.script('/hook2', { status: 500, body: 'oops' }, { status: 500 }, { status: 500 });
    const delivery = webhookDelivery(server.url('/hook2'), { ...fast, maxAttempts: 3 });
    const failed = await runAlerts({
      alerts: [alert('a.example', 50, t(0))],
      store,
      delivery,
      now: t(0),
      timeZone: ZONE,
    });
    expect(failed).toMatchObject({ sent: 0, failed: 1 });
    expect(failed.errors[0]).toBe(
      'new a.example SizeRestrictions_BODY /wp-admin/post.php: HTTP 500 after 3 attempts',
    );
    const retried = await runAlerts({
      alerts: [alert('a.example', 55, t(5))],
      store,
      delivery,
      now: t(5),
      timeZone: ZONE,
    });
    expect(retried).toMatchObject({ sent: 1, failed: 0 });
  });

  it('keeps hostile values inert in the alert text', async () => {
    const store = new MemoryStateStore();
    const delivery = webhookDelivery(server.url('/hook3'), fast);
    const alerts = HOSTILE.map((h, i) =>
      alert(`${h}.example`, 50 + i, t(0), {
        summary: `spike on ${h}`,
        scope: { host: h, ruleGroup: null, ruleId: h, path: h },
        key: `k${i}`,
      }),
    );
    await runAlerts({ alerts, store, delivery, now: t(0), timeZone: ZONE, maxNewPerRun: 100 });
    const bold = new Set(['Site', 'Rule', 'Path', 'Fix']);
    for (const m of posts('/hook3')) {
      expect(blockKitViolations(m)).toEqual([]);
      for (const { text, mrkdwn } of messageTexts(m))
        if (mrkdwn) expect(activeMrkdwn(text, bold)).toEqual([]);
    }
    expect(posts('/hook3')).toHaveLength(HOSTILE.length);
  });

  it('sends a storm as the first few alerts plus one overflow message', async () => {
    const store = new MemoryStateStore();
    const delivery = webhookDelivery(server.url('/hook4'), fast);
    const alerts = Array.from({ length: 25 }, (_, i) => alert(`s${i}.example`, 40 + i, t(0)));
    const result = await runAlerts({ alerts, store, delivery, now: t(0), timeZone: ZONE, maxNewPerRun: 5 });
    expect(result).toMatchObject({ sent: 25, failed: 0 });
    const got = posts('/hook4');
    expect(got).toHaveLength(6);
    expect(got[5]?.text).toBe('waftune: 20 more alerts');
    expect(blockKitViolations(got[5] as SlackMessage)).toEqual([]);
  });
});

describe('alert messages', () => {
  it('explain an override that is not working with identifiers in code spans', () => {
    const message = alertMessage(
      alert('blog.example', 22, t(0), {
        kind: 'override-ineffective',
        z: null,
        changeId: '20250502-050000-ab12',
        appliedAt: '2025-05-02T05:00:00.000Z',
        hosts: ['blog.example'],
      }),
      ZONE,
    );
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks[0]).toMatchObject({
      text: { text: 'Applied override is not stopping the blocks' },
    });
    expect(texts(message)).toContain(
      'Change `20250502-050000-ab12` (applied 2025-05-02 05:00) lets `AWSManagedRulesCommonRuleSet/SizeRestrictions_BODY` through in its scope, ' +
        'yet its requests are still blocked on 1 site: the override has not reached every web ACL, or its scope is too narrow. Most on `blog.example`.',
    );
    expect(texts(message)).toContain('*Fix* suggestion `ro-abc123`: `waftune apply ro-abc123`');
  });
});

describe('alert runs with a bot token: follow-ups thread under the first message', () => {
  let server: WebhookServer;
  beforeAll(async () => {
    server = await startWebhookServer({
      status: 200,
      body: '{"ok":true,"channel":"C9","ts":"1746172800.000200"}',
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('replies in the thread, at most every 30 min unless the count doubles, and says when it is over', async () => {
    const store = new MemoryStateStore();
    const delivery = botDelivery({ token: 'xoxb-1', channel: 'C9', apiUrl: server.url('/api') }, fast);
    const run = (minutes: number, alerts: Alert[]) =>
      runAlerts({ alerts, store, delivery, now: t(minutes), timeZone: ZONE });

    expect(await run(0, [alert('blog.example', 40, t(0))])).toMatchObject({ sent: 1 });
    expect(await run(5, [alert('blog.example', 50, t(5))])).toMatchObject({ followUps: 0, suppressed: 1 });
    expect(await run(10, [alert('blog.example', 95, t(10))])).toMatchObject({ followUps: 1 }); // doubled
    expect(await run(15, [alert('blog.example', 100, t(15))])).toMatchObject({ followUps: 0, suppressed: 1 });
    expect(await run(45, [alert('blog.example', 100, t(45))])).toMatchObject({ followUps: 1 }); // 30 min on
    expect(await run(50, [])).toMatchObject({ resolved: 1 });

    const bodies = server.received.map((r) => r.json as Record<string, unknown>);
    expect(bodies).toHaveLength(4);
    expect(bodies[0]).not.toHaveProperty('thread_ts');
    for (const reply of bodies.slice(1))
      expect(reply).toMatchObject({ channel: 'C9', thread_ts: '1746172800.000200' });
    expect((bodies[3] as unknown as SlackMessage).blocks[0]?.type).toBe('section');
    expect(JSON.stringify(bodies[3])).toContain('Back to baseline at 2025-05-02 08:50 (peak 100');
    expect(store.items.get('alerts/state.json')).toContain('"active": false');
  });

  it('plans a new message for a condition that comes back after the cooldown', () => {
    const record = {
      key: 'k',
      kind: 'fp-spike' as const,
      scope: { host: 'a', ruleGroup: null, ruleId: 'R', path: '/' },
      firstSentAt: t(0).toISOString(),
      lastSentAt: t(0).toISOString(),
      lastSeenAt: t(10).toISOString(),
      lastCount: 40,
      peakCount: 40,
      messages: 1,
      suppressed: 0,
      thread: { channel: 'C', ts: '1.2' },
      active: false,
    };
    const state = { version: 1 as const, updatedAt: t(10).toISOString(), alerts: [record] };
    const again = { ...alert('a', 40, t(0)), key: 'k' };
    expect(planAlerts([again], state, t(60), true).map((a) => a.type)).toEqual(['follow-up']);
    expect(planAlerts([again], state, t(121), true).map((a) => a.type)).toEqual(['new']);
  });
});
