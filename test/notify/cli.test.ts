import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../fixtures/generator/index.js';
import { blockKitViolations, type SlackMessage } from '../../src/notify/block-kit.js';
import { withPrivateTmpdir } from '../support/files.js';
import { expectChecksLeaveNothing } from '../support/watch-checks.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const run = promisify(execFile);

/** Node's own runtime warnings (e.g. the AWS SDK's Node version notice) are not waftune's output. */
const withoutNodeWarnings = (text: string) =>
  text.replace(/\(node:\d+\) [\s\S]*?\(Use `node --trace-warnings[^\n]*\n/g, '');

/** `waftune` as a user runs it, in a child process with its own environment. */
async function waftune(args: string[], env: Record<string, string> = {}) {
  try {
    const out = await run(process.execPath, ['--import', 'tsx', 'cli/waftune.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env },
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout: out.stdout, stderr: withoutNodeWarnings(out.stderr) };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: withoutNodeWarnings(e.stderr ?? '') };
  }
}

describe('waftune digest and watch', () => {
  let dir: string;
  let server: WebhookServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'waftune-cli-notify-'));
    await writeFleet(join(dir, 'logs'), { seed: 5, day: '2025-05-01', days: 2, sites: 10, scale: 0.2 });
    server = await startWebhookServer();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('digest posts the day to the webhook from the environment and writes the HTML report', async () => {
    const html = join(dir, 'report.html');
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const r = await waftune(
      [
        'digest',
        join(dir, 'logs'),
        '--html',
        html,
        '--state-dir',
        join(dir, 's1'),
        '--time-zone',
        'Europe/Berlin',
      ],
      {
        WAFTUNE_SLACK_WEBHOOK_URL: server.url('/digest'),
        TMPDIR: tmp,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The run's work folder (its DuckDB file, spill files) is gone when it ends (tsx keeps its cache).
    expect(readdirSync(tmp).filter((f) => f.startsWith('waftune-'))).toEqual([]);
    expect(r.stdout).toMatch(
      /^waftune digest 2025-05-03 \(2025-05-02 02:00 – 2025-05-03 02:00 Europe\/Berlin\)\n/,
    );
    expect(r.stdout).toContain('  slack: sent (1 attempt)');
    const [posted] = server.received.filter((x) => x.path === '/digest');
    expect(blockKitViolations(posted?.json as SlackMessage)).toEqual([]);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('digest exits 1 when Slack keeps failing, and keeps the message for the next run', async () => {
    server.script('/down', ...Array.from({ length: 5 }, () => ({ status: 503 })));
    const state = join(dir, 's2');
    const r = await waftune([
      'digest',
      join(dir, 'logs'),
      '--state-dir',
      state,
      '--slack-webhook',
      server.url('/down'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `  slack: NOT SENT, kept in ${join(state, 'outbox', 'pending.json')} for the next run`,
    );
    expect(r.stdout).toMatch(/ {2}error: Slack delivery failed after 5 attempts: HTTP 503/);
    expect(existsSync(join(state, 'reports', 'waftune-digest-2025-05-03.html'))).toBe(true);
  }, 120_000);

  it('refuses a webhook that is not https, without echoing it', async () => {
    const r = await waftune([
      'digest',
      join(dir, 'logs'),
      '--slack-webhook',
      'http://hooks.example.com/services/SECRET',
    ]);
    // A usage error (exit 64): nothing was read or sent.
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(
      'waftune digest: the Slack webhook must be an https:// URL\n(run waftune digest --help for usage)\n',
    );
  });

  it('watch --once checks the last 6 hours and records its state', async () => {
    const state = join(dir, 's3');
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const r = await waftune(
      ['watch', join(dir, 'logs'), '--once', '--state-dir', state, '--time-zone', 'UTC'],
      {
        WAFTUNE_SLACK_WEBHOOK_URL: server.url('/watch'),
        TMPDIR: tmp,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(tmp).filter((f) => f.startsWith('waftune-'))).toEqual([]);
    expect(r.stdout).toMatch(
      /^2025-05-02 23:55 UTC: \d+ alerts? · sent \d+, follow-ups 0, within cooldown 0, back to normal 0, failed 0\n/,
    );
    expect(JSON.parse(readFileSync(join(state, 'alerts', 'state.json'), 'utf8'))).toMatchObject({
      version: 1,
    });
    for (const m of server.received.filter((x) => x.path === '/watch'))
      expect(blockKitViolations(m.json as SlackMessage)).toEqual([]);
  });

  it('each check closes its load with its work folder, so a long watch does not fill the disk', async () => {
    // In this process: the CLI's own run folder would hide a leak until exit.
    await withPrivateTmpdir(dir, async (left) => {
      await expectChecksLeaveNothing([join(dir, 'logs')], join(dir, 's4'), left);
    });
  });
});
