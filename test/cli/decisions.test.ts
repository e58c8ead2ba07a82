import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../fixtures/generator/index.js';
import type { Report } from '../../schemas/report.js';
import type { SuggestionSet } from '../../schemas/suggestion.js';
import { runCli } from '../support/run-cli.js';
import { type LocalWafv2, startLocalWafv2 } from '../support/wafv2-local-endpoint.js';

/**
 * Decisions that stick, end to end: a suggestion declined after one run is held back by the next
 * analyze, digest and plan; it comes back, with the note saying who declined it, once its evidence
 * per day has grown three times (the same logs read three times over: the same window, three times
 * the blocks); an undo brings it back at once.
 */

let dir: string;
let state: string;
let logs: string;
let ep: LocalWafv2;
const today = new Date().toISOString().slice(0, 10);

function waftune(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli([...args, '--state-dir', state], {
    AWS_ENDPOINT_URL_WAFV2: ep.url,
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    WAFTUNE_AUDIT_URL: undefined,
    WAFTUNE_SLACK_WEBHOOK_URL: undefined,
    NO_COLOR: '1',
    NODE_NO_WARNINGS: '1',
    ...env,
  });
}

let declined = '';
let other = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'waftune-decisions-'));
  state = join(dir, 'state');
  logs = join(dir, 'logs');
  await writeFleet(logs, { seed: 21, day: '2025-05-01', sites: 10, scale: 0.3 });
  // The same records twice more: the same window with three times the evidence.
  cpSync(logs, join(dir, 'again-1'), { recursive: true });
  cpSync(logs, join(dir, 'again-2'), { recursive: true });
  ep = await startLocalWafv2();
});

afterAll(async () => {
  await ep?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('waftune decline, decisions, and what honours them', () => {
  it('decline records who, when, why and until when, for a suggestion of the last run', async () => {
    const suggested = await waftune(['suggest', logs, '--json']);
    expect(suggested.code, suggested.stderr).toBe(0);
    const set = JSON.parse(suggested.stdout) as SuggestionSet;
    const overrides = set.suggestions.filter((s) => s.kind === 'rule-override');
    expect(overrides.length).toBeGreaterThan(0);
    declined = overrides[0]?.id ?? '';
    other = set.suggestions.find((s) => s.id !== declined)?.id ?? '';

    const run = await waftune([
      'decline',
      declined.slice(0, 8),
      '--reason',
      'uploads go through SFTP',
      '--for',
      '30d',
      '--by',
      'alice',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`declined ${declined} until `);
    expect(run.stdout).toContain('uploads go through SFTP');
    expect(run.stdout).toMatch(/proposed again if its blocked requests per day reach x3 \([\d.]+ now\)/);

    const listed = await waftune(['decisions']);
    expect(listed.stdout).toMatch(
      new RegExp(`${declined}\\s+${today}\\s+alice\\s+\\d{4}-\\d{2}-\\d{2}\\s+held`),
    );
    const json = JSON.parse((await waftune(['decisions', '--json'])).stdout);
    expect(json.decisions[0]).toMatchObject({
      kind: 'decline',
      suggestionId: declined,
      by: { user: 'alice' },
      reason: 'uploads go through SFTP',
      status: 'held',
    });
    expect(json.location).toBe(join(state, 'changes', 'decisions'));
  }, 180_000);

  it('analyze holds it back: not among the suggestions, listed under decisions.held, kept aside for plan', async () => {
    const run = await waftune(['analyze', logs, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.suggestions.map((s) => s.id)).not.toContain(declined);
    expect(report.suggestions.map((s) => s.id)).toContain(other);
    expect(report.decisions?.held.map((h) => h.suggestion.id)).toEqual([declined]);
    expect(report.decisions?.held[0]?.decision.note).toMatch(
      new RegExp(
        `^declined on ${today} by alice \\(uploads go through SFTP\\), held until \\d{4}-\\d{2}-\\d{2}; evidence since x1 \\(proposed again at x3\\)$`,
      ),
    );
    const saved = JSON.parse(readFileSync(join(state, 'suggestions.json'), 'utf8')) as SuggestionSet;
    expect(saved.suggestions.map((s) => s.id)).not.toContain(declined);
    expect(saved.declined?.map((s) => s.id)).toEqual([declined]);

    const text = await waftune(['analyze', logs]);
    expect(text.stdout).toContain('declined and held (1): not proposed while the decision holds');
    expect(text.stdout).toContain(`${declined}  `);
  }, 180_000);

  it('plan leaves it out, refuses it by id, and takes it with --include-declined', async () => {
    const all = await waftune(['plan']);
    expect(all.stdout).toContain(`Left out 1 declined suggestion(s): ${declined} (waftune decisions)`);
    const refused = await waftune(['plan', declined]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${declined} was declined on ${today} by alice (uploads go through SFTP)`,
    );
    expect(refused.stderr).toContain('pass --include-declined');
    const taken = await waftune(['plan', declined, '--include-declined', '--json']);
    const plan = JSON.parse(taken.stdout);
    expect(plan.suggestions).toEqual([declined]);
    expect(plan.declined).toMatchObject([{ suggestionId: declined, included: true }]);
  });

  it('the digest counts it and keeps it out of the pending list; watch does not name it as a fix', async () => {
    const run = await waftune(['digest', logs, '--json', '--time-zone', 'UTC']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(
      out.digest.pendingSuggestions.map((p: { suggestion: { id: string } }) => p.suggestion.id),
    ).not.toContain(declined);
    expect(out.digest.decisions.held.map((h: { suggestionId: string }) => h.suggestionId)).toEqual([
      declined,
    ]);
    expect(JSON.stringify(out.slack)).toContain('1 suggestion declined');
    const text = await waftune(['digest', logs, '--time-zone', 'UTC']);
    expect(text.stdout).toMatch(/pending suggestions \(1 suggestion declined\)/);

    const watch = await waftune(['watch', logs, '--once', '--json', '--time-zone', 'UTC']);
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).not.toContain(declined);
  }, 180_000);

  it('comes back with the note once its evidence per day has grown x3, and at once when undone', async () => {
    const grown = await waftune(['analyze', logs, join(dir, 'again-1'), join(dir, 'again-2'), '--json']);
    expect(grown.code, grown.stderr).toBe(0);
    const report = JSON.parse(grown.stdout) as Report;
    const back = report.suggestions.find((s) => s.id === declined);
    expect(back?.reasons[0]).toBe(
      `declined on ${today} by alice (uploads go through SFTP), evidence since x3: proposed again`,
    );
    expect(report.decisions?.reproposed).toMatchObject([{ suggestionId: declined, why: 'evidence' }]);
    expect(report.decisions?.held).toEqual([]);
    const text = await waftune(['analyze', logs, join(dir, 'again-1'), join(dir, 'again-2')]);
    expect(text.stdout).toContain('evidence since x3: proposed again');

    const undo = await waftune(['decisions', '--undo', declined, '--reason', 'SFTP is gone']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain(`undone: ${declined} (declined on ${today} by alice) is proposed again`);
    expect((await waftune(['decisions'])).stdout).toContain('No suggestion is declined now');
    const after = JSON.parse((await waftune(['analyze', logs, '--json'])).stdout) as Report;
    const plain = after.suggestions.find((s) => s.id === declined);
    expect(plain?.reasons.some((r) => r.startsWith('declined on'))).toBe(false);
    const history = await waftune(['decisions', '--all']);
    expect(history.stdout).toContain('undo');
    expect(history.stdout).toContain('SFTP is gone');
  }, 300_000);

  it('refuses what is not a suggestion id, and a hold longer than a year', async () => {
    const unknown = await waftune(['decline', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no suggestion nope');
    const long = await waftune(['decline', declined, '--for', '400d']);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('--for 400d: from a minute to 365 days');
  });
});
