import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS, hostileRecords, INVALID_UTF8_LINE } from '../../fixtures/hostile.js';
import { reportSchema } from '../../schemas/report.js';
import { suggestionSetSchema } from '../../schemas/suggestion.js';
import { runCli } from '../support/run-cli.js';
import { awsDocExampleLines } from '../support/vendored.js';
import {
  CUSTOMER_GROUP,
  countModeGroupRecord,
  countModeThenTerminatingRecord,
  customerGroupRecord,
  excludedAsCountRecord,
  SQLI_GROUP,
  wafRecord,
} from '../support/waf-records.js';

const DEMO = 'fixtures/demo';
const scratch = mkdtempSync(join(tmpdir(), 'waftune-cli-'));
const state = () => mkdtempSync(join(scratch, 'state-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('waftune analyze on the bundled demo logs', () => {
  let text: Awaited<ReturnType<typeof runCli>>;
  let json: Awaited<ReturnType<typeof runCli>>;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = state();
    [text, json] = await Promise.all([
      runCli(['analyze', DEMO, '--state-dir', stateDir]),
      runCli(['analyze', DEMO, '--json', '--state-dir', state()]),
    ]);
  }, 120_000);

  it('prints the report and exits 2 because the demo carries some bad input on purpose', () => {
    expect(text.code).toBe(2);
    for (const section of [
      'Requests by action',
      'Top rules',
      'Top blocked paths per site',
      'False-positive candidates',
      'Attack sources across sites',
      'Suggestions',
      'Rejected input',
    ]) {
      expect(text.stdout).toContain(section);
    }
  });

  it('lists the SizeRestrictions_BODY blocks on async-upload.php as false-positive candidates', () => {
    const report = reportSchema.parse(JSON.parse(json.stdout));
    expect(report.falsePositiveCandidates).toContainEqual(
      expect.objectContaining({
        ruleId: 'SizeRestrictions_BODY',
        method: 'POST',
        path: '/wp-admin/async-upload.php',
      }),
    );
    expect(text.stdout).toMatch(/SizeRestrictions_BODY POST \/wp-admin\/async-upload\.php/);
  });

  it('lists the spraying scanners as attack sources, across many sites', () => {
    const report = reportSchema.parse(JSON.parse(json.stdout));
    const multiSite = report.attackSources.filter((a) => a.sites >= 10);
    expect(multiSite.length).toBeGreaterThanOrEqual(8);
    expect(report.suggestions.filter((s) => s.kind === 'ip-block').length).toBeGreaterThanOrEqual(8);
  });

  it('names every rejected file and line, and keeps them aside', () => {
    const report = reportSchema.parse(JSON.parse(json.stdout));
    expect(report.input.rejected).toBe(4);
    expect(report.input.rejectedSamples.map((s) => `${s.file.split('/').pop()}:${s.line}`).sort()).toEqual([
      'corrupt.gz:1',
      'empty.jsonl:null',
      'truncated-and-foreign-lines.jsonl:3',
      'truncated-and-foreign-lines.jsonl:5',
    ]);
    const file = report.input.rejectsFile;
    expect(file).not.toBeNull();
  });

  it('saves the suggestion set that plan and apply read', () => {
    const saved = suggestionSetSchema.parse(
      JSON.parse(readFileSync(join(stateDir, 'suggestions.json'), 'utf8')),
    );
    expect(saved.suggestions.length).toBeGreaterThan(0);
  });

  it('gives the same report on every run, whatever order the workers finish in', async () => {
    const again = await runCli(['analyze', DEMO, '--json', '--state-dir', state()]);
    const strip = (out: string) => {
      const r = JSON.parse(out);
      r.input.rejectsFile = null;
      return r;
    };
    expect(strip(again.stdout)).toEqual(strip(json.stdout));
  });

  it('--since keeps the last part of the data, measured from its newest event', async () => {
    const out = await runCli(['analyze', DEMO, '--since', '2h', '--json', '--state-dir', state()]);
    const report = reportSchema.parse(JSON.parse(out.stdout));
    expect(Date.parse(report.window.to) - Date.parse(report.window.from)).toBe(2 * 3_600_000);
    expect(report.fleet.events).toBeGreaterThan(0);
    expect(report.fleet.events).toBeLessThan(report.input.events / 4);
  });

  it('has no colour when the output is not a terminal', () => {
    expect(text.stdout).not.toMatch(/\u001b\[/);
  });
});

describe('waftune analyze on the documented rule-group shapes, some records written back to back', () => {
  it('reports the managed rule of a Count-mode group and of an excluded rule, and reads every joined record', async () => {
    const dir = mkdtempSync(join(scratch, 'shapes-'));
    const line = (r: unknown) => JSON.stringify(r);
    writeFileSync(
      join(dir, 'count-mode.jsonl'),
      `${[countModeGroupRecord(), countModeGroupRecord('sqli-trial')].map(line).join('\n')}\n`,
    );
    writeFileSync(join(dir, 'excluded.gz'), gzipSync(`${line(excludedAsCountRecord())}\n`));
    // One line of four records with no newline between them; one carries `}{` in its URI.
    const joined = [
      countModeThenTerminatingRecord(),
      excludedAsCountRecord(false),
      customerGroupRecord('enforce'),
      wafRecord({}, { uri: '/?s=}{"timestamp":1}{' }),
    ];
    writeFileSync(join(dir, 'joined.jsonl'), `${joined.map(line).join('')}\n`);

    const out = await runCli(['analyze', dir, '--json', '--state-dir', state()]);
    expect(out.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(out.stdout));
    expect(report.input).toMatchObject({ events: 7, rejected: 0 });
    expect(report.input.concatenated).toEqual([
      { file: expect.stringMatching(/joined\.jsonl$/), lines: 1, records: 4, firstLine: 1 },
    ]);
    const rule = (group: string | null, id: string, action: string) =>
      report.topRules.find((r) => r.ruleGroup === group && r.ruleId === id && r.action === action);
    expect(rule(SQLI_GROUP, 'SQLi_QUERYARGUMENTS', 'COUNT')?.requests).toBe(4);
    expect(rule(SQLI_GROUP, 'SQLi_QUERYARGUMENTS', 'BLOCK')?.requests).toBe(1);
    expect(rule(CUSTOMER_GROUP, 'block-xmlrpc', 'BLOCK')?.requests).toBe(1);
    expect(report.topRules.map((r) => r.ruleId)).not.toContain('AWS-AWSManagedRulesSQLiRuleSet');
    expect(report.topRules.map((r) => r.ruleId)).not.toContain('AWS-AWSManagedRulesCommonRuleSet');
    expect(report.topRules.map((r) => r.ruleId)).not.toContain('sqli-trial');
    expect(report.totals).toMatchObject({ byAction: { ALLOW: 5, BLOCK: 2 }, countedRequests: 4 });

    const text = await runCli(['analyze', dir, '--state-dir', state()]);
    expect(text.stdout).toMatch(/of which counted by a rule that did not act \(Count mode\): 4/);
    expect(text.stdout).toMatch(
      /1 file\(s\) held records written back to back with no newline: 4 records on 1 line\(s\), split and read one by one/,
    );
  }, 120_000);
});

describe('hostile values in every field', () => {
  it('reach the terminal inert and the JSON intact, and a clean run exits 0', async () => {
    const dir = mkdtempSync(join(scratch, 'hostile-'));
    const base = JSON.parse(awsDocExampleLines()[0] ?? '{}');
    const records = hostileRecords(base);
    writeFileSync(join(dir, 'hostile.gz'), gzipSync(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`));
    const clean = await runCli(['analyze', dir, '--state-dir', state()]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(clean.stdout).toContain('\\x1b');
    const asJson = await runCli(['analyze', dir, '--json', '--state-dir', state()]);
    const report = reportSchema.parse(JSON.parse(asJson.stdout));
    expect(report.input.events).toBe(records.length);

    writeFileSync(join(dir, 'invalid-utf8.jsonl'), INVALID_UTF8_LINE);
    const withBad = await runCli(['analyze', dir, '--state-dir', state()]);
    expect(withBad.code).toBe(0);
    expect(HOSTILE_STRINGS.length).toBeGreaterThan(10);
  }, 120_000);

  it('honours NO_COLOR, fails with exit 1 on a missing source and 64 (usage) on none, and takes --source too', async () => {
    const missing = await runCli(['analyze', 'no/such/folder', '--state-dir', state()], { NO_COLOR: '1' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file or folder: no\/such\/folder/);
    const none = await runCli(['analyze', '--state-dir', state()]);
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/no source given/);
    const flag = await runCli(['suggest', '--source', DEMO, '--json', '--state-dir', state()]);
    expect(flag.code).toBe(2);
    expect(suggestionSetSchema.parse(JSON.parse(flag.stdout)).suggestions.length).toBeGreaterThan(0);
  });
});
