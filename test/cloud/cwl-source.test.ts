import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DeserializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchLogsSource, createLogsClient, parseCwlUrl } from '../../adapters/cwl-source.js';
import { writeFleet } from '../../fixtures/generator/index.js';
import type { Report } from '../../schemas/report.js';
import { renderReport } from '../../src/analyze/render-text.js';
import type { InputProblem } from '../../src/ingest/read-lines.js';
import { analyzeSource } from '../support/analysis.js';
import { filesUnder } from '../support/files.js';
import { type LocalLogs, startLocalLogs } from '../support/logs-local-endpoint.js';
import { runCli } from '../support/run-cli.js';

/**
 * `cwl://<log-group>` through the real SDK against a local CloudWatch Logs that checks every call
 * against the service model: the same records as a folder of files give the same report, read
 * page by page (nextToken, empty pages), throttling retried, bad messages rejected by log group,
 * stream, event id and time, and only the window asked for.
 */

const GROUP = 'aws-waf-logs-waftune-test';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let logs: LocalLogs;
let work: string;
let local: string;
let records = 0;
const env: Record<string, string> = {};
const badTs = Date.now() - 2 * HOUR;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'waftune-cwl-'));
  local = join(work, 'logs');
  // Yesterday (UTC), so a 48-hour window ending now holds all of it and a 24-hour one part of it.
  const day = new Date(Date.now() - DAY).toISOString().slice(0, 10);
  await writeFleet(local, { seed: 5, day, sites: 10, scale: 0.02, bufferSeconds: 3600 });
  logs = await startLocalLogs({ maxEventsPerPage: 600, emptyPageEvery: 4 });
  // WAF writes one record per log event, a stream per web ACL.
  for (const file of filesUnder(local)) {
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      const record = JSON.parse(line) as { timestamp: number; webaclId: string };
      const acl = record.webaclId.split('/').at(-2) ?? 'acl';
      logs.putEvents(GROUP, `eu-west-1_${acl}_0`, [{ timestamp: record.timestamp, message: line }]);
      records++;
    }
  }
  logs.putEvents(GROUP, 'eu-west-1_broken_0', [
    { timestamp: badTs, message: 'not a json record' },
    { timestamp: badTs + 1, message: '{"timestamp":1795132800000,"webaclId":"arn:x","action":"BLOCK"}' },
  ]);
  // Older than any window below: must never be read.
  logs.putEvents(GROUP, 'eu-west-1_old_0', [{ timestamp: Date.now() - 5 * DAY, message: 'old and broken' }]);
  Object.assign(env, {
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
  });
  Object.assign(process.env, env);
}, 120_000);

afterAll(async () => {
  await logs?.close();
  for (const k of Object.keys(env)) delete process.env[k];
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  logs.requests.length = 0;
});

const report = (source: string, since?: string) => analyzeSource(source, join(work, 'state'), since);

/** What the two reports must share: everything the records decide (order among equals aside). */
function facts(r: Report) {
  const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
  return {
    window: r.window,
    fleet: r.fleet,
    totals: r.totals,
    topRules: sorted(r.topRules),
    suggestions: r.suggestions.map((s) => s.id).sort(),
  };
}

describe('analyze cwl://<log-group>', () => {
  it('reads every stream of the group page by page and reports what the same records in files report', async () => {
    const fromFiles = await report(local, '48h');
    const fromLogs = await report(`cwl://${GROUP}`, '48h');
    expect(fromLogs.input.events).toBe(records);
    expect(fromLogs.input.events).toBe(fromFiles.input.events);
    expect(facts(fromLogs)).toEqual(facts(fromFiles));
    expect(fromLogs.suggestions.length).toBeGreaterThan(0);

    const calls = logs.operations('FilterLogEvents');
    // 600 events a page at most, and an empty page now and then: many calls, one token chain.
    expect(calls.length).toBeGreaterThan(records / 600);
    expect(calls[0]?.body.nextToken).toBeUndefined();
    expect(calls.slice(1).every((c) => typeof c.body.nextToken === 'string')).toBe(true);
    expect(calls.every((c) => c.body.logGroupName === GROUP && c.body.filterPattern === undefined)).toBe(
      true,
    );
    expect(logs.rejected).toEqual([]);
    expect(logs.badResponses).toEqual([]);
  }, 60_000);

  it('rejects a bad message naming the log group, stream, event id and time; the rest is analysed', async () => {
    const r = await report(`cwl://${GROUP}`, '48h');
    expect(r.input.rejected).toBe(2);
    const bad = r.input.rejectedSamples;
    expect(bad).toHaveLength(2);
    for (const s of bad) {
      expect(s.file).toBe(`cwl://${GROUP}/eu-west-1_broken_0`);
      expect(s.line).toBeNull();
      expect(s.event?.id).toMatch(/^\d{56}$/);
    }
    expect(bad.map((s) => s.event?.time)).toEqual([
      new Date(badTs).toISOString(),
      new Date(badTs + 1).toISOString(),
    ]);
    expect(bad[0]?.reason).toMatch(/^not JSON/);
    expect(bad[1]?.reason).toMatch(/^not a WAF log record: terminatingRuleId/);
    // The rejects file keeps them with their place too.
    const kept = readFileSync(r.input.rejectsFile as string, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as InputProblem);
    expect(kept.map((k) => k.event?.id)).toEqual(bad.map((s) => s.event?.id));
    expect(renderReport(r, { color: false })).toContain(
      `cwl://${GROUP}/eu-west-1_broken_0 event ${bad[0]?.event?.id} at ${new Date(badTs).toISOString()}: not JSON`,
    );
  }, 60_000);

  it('asks for the window only: --since back from now, and the last day when none is given', async () => {
    const before = Date.now();
    const r = await report(`cwl://${GROUP}`);
    const after = Date.now();
    const calls = logs.operations('FilterLogEvents');
    for (const c of calls) {
      expect(c.body.endTime).toBeGreaterThanOrEqual(before);
      expect(c.body.endTime).toBeLessThanOrEqual(after);
      expect(c.body.startTime).toBe((c.body.endTime as number) - DAY);
    }
    // Part of yesterday's records fall in the last 24 hours; the five-day-old event never does.
    expect(r.input.events).toBeGreaterThan(0);
    expect(r.input.events).toBeLessThan(records);
    expect(r.input.rejectedSamples.some((s) => s.file.endsWith('_old_0'))).toBe(false);
    logs.requests.length = 0;
    await report(`cwl://${GROUP}`, '72h');
    const wide = logs.operations('FilterLogEvents')[0]?.body;
    expect((wide?.endTime as number) - (wide?.startTime as number)).toBe(3 * DAY);
  }, 60_000);

  it('retries throttled calls (adaptive retry) and reads everything', async () => {
    logs.throttle(2);
    const source = cloudWatchLogsSource(`cwl://${GROUP}`, {
      startTime: Date.now() - 2 * DAY,
      endTime: Date.now(),
      client: createLogsClient({}, { callsPerSecond: 0 }),
    });
    const problems: InputProblem[] = [];
    let n = 0;
    for await (const _ of source.records((p) => problems.push(p))) n++;
    expect(n).toBe(records + 2);
    expect(problems).toEqual([]);
    // Two throttled attempts, each retried by the SDK before the first page came back.
    const calls = logs.operations('FilterLogEvents');
    expect(calls.length).toBe(source.stats.calls + 2);
    expect(calls.slice(0, 3).every((c) => c.body.nextToken === undefined)).toBe(true);
  }, 60_000);

  it('keeps what it read and rejects the rest when throttling outlasts the retries', async () => {
    const source = cloudWatchLogsSource(`cwl://${GROUP}`, {
      startTime: Date.now() - 2 * DAY,
      endTime: Date.now(),
      client: createLogsClient({ maxAttempts: 2 }, { callsPerSecond: 0 }),
    });
    const problems: InputProblem[] = [];
    let n = 0;
    for await (const _ of source.records((p) => problems.push(p))) {
      n++;
      if (n === 10) logs.throttle(1_000);
    }
    logs.stopThrottling();
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(records);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: `cwl://${GROUP}`, line: null });
    expect(problems[0]?.reason).toMatch(
      /^CloudWatch Logs read failed \(ThrottlingException: Rate exceeded\)/,
    );
  }, 60_000);

  it('paces its calls to the FilterLogEvents quota (5 a second)', async () => {
    const client = createLogsClient();
    // When each attempt leaves the client: after the pacing, right before the HTTP handler.
    const sent: number[] = [];
    const record: DeserializeMiddleware<object, object> = (next) => async (args) => {
      sent.push(performance.now());
      return next(args);
    };
    client.middlewareStack.addRelativeTo(record as never, {
      relation: 'after',
      toMiddleware: 'waftunePaceCalls',
      name: 'testRecordSends',
    });
    const source = cloudWatchLogsSource(`cwl://${GROUP}`, {
      startTime: Date.now() - 2 * DAY,
      endTime: Date.now(),
      client,
    });
    let n = 0;
    for await (const _ of source.records(() => {})) if (++n >= 4_000) break;
    expect(sent.length).toBeGreaterThanOrEqual(7);
    const gaps = sent.slice(1).map((t, i) => t - (sent[i] as number));
    // 200 ms apart as the pacer sees it; a few ms of this busy event loop can fall between the
    // pacer and the send, so each gap is only roughly 200 ms, their mean all but exactly.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
    expect(((sent.at(-1) as number) - (sent[0] as number)) / gaps.length).toBeGreaterThanOrEqual(195);
  }, 60_000);

  it('fails clearly on a log group that does not exist, or a name that cannot be one', async () => {
    await expect(report('cwl://aws-waf-logs-nobody', '1h')).rejects.toThrow(
      /cwl:\/\/aws-waf-logs-nobody: ResourceNotFoundException/,
    );
    expect(() => parseCwlUrl('cwl://bad name')).toThrow(/not a log group name/);
    expect(parseCwlUrl('cwl://arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-x:*').input).toEqual(
      {
        logGroupIdentifier: 'arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-x',
      },
    );
  });

  it('works from the command line for analyze, digest and watch', async () => {
    const state = join(work, 'cli-state');
    const analyzed = await runCli(
      ['analyze', `cwl://${GROUP}`, '--since', '48h', '--json', '--state-dir', state, '--no-progress'],
      env,
    );
    expect(analyzed.code, analyzed.stderr).toBe(2);
    const r = JSON.parse(analyzed.stdout) as Report;
    expect(r.input.events).toBe(records);
    expect(r.input.rejected).toBe(2);

    const digest = await runCli(['digest', `cwl://${GROUP}`, '--json', '--state-dir', state], env);
    expect(digest.code, digest.stderr).toBe(2);
    expect(
      (JSON.parse(digest.stdout) as { digest: { totals: { requests: number } } }).digest.totals.requests,
    ).toBe(records);

    const watch = await runCli(['watch', `cwl://${GROUP}`, '--once', '--json', '--state-dir', state], env);
    expect(watch.code, watch.stderr).toBe(0);
    expect(JSON.parse(watch.stdout)).toHaveProperty('alerts');
    expect(logs.rejected).toEqual([]);
  }, 120_000);
});
