import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedSchema } from '../support/published-schema.js';
import {
  type LocalWafv2,
  managedGroupRule,
  rateRule,
  startLocalWafv2,
} from '../support/wafv2-local-endpoint.js';
import { ipBlock, override, suggestionSet } from './suggestions.js';

/** `waftune plan/apply/rollback/changes/expire` end to end: the real CLI, the real SDK, the local WAFv2. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let ep: LocalWafv2;
let dir: string;
let stateDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function waftune(...args: string[]): Promise<Run> {
  return waftuneWith({}, ...args);
}

function waftuneWith(extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ENDPOINT_URL_WAFV2: ep.url,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    NO_COLOR: '1',
    NODE_NO_WARNINGS: '1',
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/waftune.ts', ...args, '--state-dir', stateDir],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sites = ['site-a', 'site-b', 'site-c'];
let firstChange = '';

// What --json prints is checked against the published JSON Schemas (schemas/json/), as a user's script would.
const applySchema = publishedSchema('apply.schema.json');
const expireSchema = publishedSchema('expire.schema.json');
const rollbackSchema = publishedSchema('rollback.schema.json');
const planSchema = publishedSchema('plan.schema.json');

/** Lets time pass: every expiry recorded in the change history moves to yesterday. */
function expireEveryBlock(): void {
  for (const change of readdirSync(join(stateDir, 'changes'))) {
    const changeDir = join(stateDir, 'changes', change);
    for (const f of readdirSync(changeDir).filter((n) => n.startsWith('entry-'))) {
      const entry = JSON.parse(readFileSync(join(changeDir, f), 'utf8'));
      for (const b of entry.ipBlocks ?? []) b.expiresAt = new Date(Date.now() - 86_400_000).toISOString();
      writeFileSync(join(changeDir, f), JSON.stringify(entry));
    }
  }
}

beforeAll(async () => {
  ep = await startLocalWafv2();
  for (const name of sites)
    ep.seedWebAcl({
      name,
      rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1), rateRule('rate-login', 2)],
    });
  ep.seedWebAcl({
    name: 'cdn',
    scope: 'CLOUDFRONT',
    rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 0)],
  });
  dir = mkdtempSync(join(tmpdir(), 'waftune-cli-'));
  stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const hostile = override('ov-esc', ['site-a'], {
    paths: [{ match: 'EXACTLY', value: '/\u001b[31mred\u0007' }],
  });
  writeFileSync(
    join(stateDir, 'suggestions.json'),
    JSON.stringify(suggestionSet([override('ov-1', sites), ipBlock('ip-1', ['198.51.100.7']), hostile])),
  );
});

afterAll(async () => {
  expect(ep.rejected).toEqual([]);
  await ep.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('waftune CLI against a local WAFv2', () => {
  it('plan --json of no suggestions is a whole plan, as plan.schema.json says', async () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify(suggestionSet([])));
    const run = await waftune('plan', '--suggestions', empty, '--json');
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(planSchema(plan)).toEqual([]);
    expect(plan).toMatchObject({
      suggestions: [],
      webAcls: [],
      ipSets: [],
      maxWcu: 5000,
      summary: { change: 0, unchanged: 0, refused: 0, failed: 0 },
    });
    // Before, the published schema refused it: four of its required members were missing.
    expect(planSchema({ version: 1, suggestions: [], webAcls: [], ipSets: [] })).not.toEqual([]);
  });

  it('rejects a suggestions file that is not a suggestion set, naming the file and the field', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, window: { from: 'x', to: 'y' }, suggestions: [] }));
    const run = await waftune('plan', '--suggestions', bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad} is not a waftune suggestion set`);
    expect(run.stderr).toContain('window.from');
    const unknown = await waftune('plan', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no suggestion nope in the set (there are: ov-1, ip-1, ov-esc)');
  });

  it('plan shows per web ACL the rule diff and the WCU, and makes log values inert', async () => {
    const run = await waftune('plan', 'ov-1', 'ip-1');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('waftune plan: 2 suggestions, 4 web ACLs');
    expect(run.stdout).toContain('+ IP set waftune-blocked-ipv4 (REGIONAL eu-west-1): create with 1 address');
    expect(run.stdout).toContain(
      '+ IP set waftune-blocked-ipv4 (CLOUDFRONT us-east-1): create with 1 address',
    );
    expect(run.stdout).toMatch(
      /~ web ACL site-a \(REGIONAL eu-west-1\) {2}WCU 704 -> 710 \(estimated\) \(\+6\)/,
    );
    expect(run.stdout).toContain('+ rule waftune-override-SizeRestrictions_BODY (priority 2)');
    expect(run.stdout).toContain(
      'Plan: 4 web ACLs to change, 0 unchanged, 0 refused, 0 failed; 2 IP sets to write.',
    );
    expect(run.stdout).not.toContain('\u001b');

    const hostile = await waftune('plan', 'ov-esc');
    expect(hostile.stdout).toContain('uri path is "/\\x1b[31mred\\x07"');
    expect(hostile.stdout).not.toContain('\u001b');
    expect(hostile.stdout).not.toContain('\u0007');

    const json = await waftune('plan', 'ov-1', '--json', '--acl', 'site-b');
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout);
    expect(planSchema(plan)).toEqual([]);
    expect(plan.webAcls.map((a: { name: string; status: string }) => `${a.name}:${a.status}`)).toEqual([
      'site-b:change',
    ]);
    expect(plan.webAcls[0].wcu).toEqual({ before: 704, after: 709, estimated: false });
    expect(ep.operations('UpdateWebACL')).toEqual([]);
  });

  it('apply without a terminal and without --yes applies nothing', async () => {
    const run = await waftune('apply', 'ov-1');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('pass --yes to apply from a script');
    const json = await waftune('apply', 'ov-1', '--json');
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(applySchema(out)).toEqual([]);
    expect(out).toMatchObject({ change: null, error: expect.stringContaining('pass --yes'), declined: [] });
    expect(out.plan.summary).toMatchObject({ change: 3 });
    expect(ep.operations('UpdateWebACL')).toEqual([]);
  });

  it('apply --yes reports each web ACL, exits 2 when one fails, and says how to resume', async () => {
    ep.failFor('site-c', {
      type: 'WAFInvalidOperationException',
      message: 'site-c is being associated',
      operations: ['UpdateWebACL'],
    });
    const run = await waftune('apply', 'ov-1', 'ip-1', '--yes');
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('+ web ACL site-a (REGIONAL eu-west-1): applied');
    expect(run.stdout).toContain(
      'x web ACL site-c (REGIONAL eu-west-1): failed: WAFInvalidOperationException: site-c is being associated',
    );
    const id = /Change (\d{8}-\d{6}-[0-9a-f]{4}): 5 applied, 0 unchanged, 0 refused, 1 failed\./.exec(
      run.stdout,
    )?.[1];
    expect(id).toBeDefined();
    firstChange = id ?? '';
    expect(run.stdout).toContain(`To retry what did not apply: waftune apply --resume ${firstChange}`);
    expect(run.stdout).toContain(`To undo: waftune rollback ${firstChange}`);
  });

  it('apply --resume finishes the web ACLs that failed, and only those', async () => {
    ep.clearFailure('site-c');
    const updates = ep.operations('UpdateWebACL').length;
    const run = await waftune('apply', '--resume', firstChange, '--yes', '--json');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(applySchema(out)).toEqual([]);
    expect(out.change).toMatchObject({
      kind: 'apply',
      status: 'done',
      storeProblems: [],
      location: join(stateDir, 'changes'),
    });
    expect(out.change.counts).toMatchObject({ applied: 1, failed: 0 });
    expect(
      out.change.entries
        .filter((e: { target: { type: string } }) => e.target.type === 'web-acl')
        .map((e: { target: { name: string } }) => e.target.name),
    ).toEqual(['site-c']);
    expect(ep.operations('UpdateWebACL').length - updates).toBe(1);
    // The resume left nothing undone: resuming it is said, not done.
    const done = await waftune('apply', '--resume', out.change.changeId, '--yes', '--json');
    expect(done.code, done.stderr).toBe(0);
    const nothing = JSON.parse(done.stdout);
    expect(applySchema(nothing)).toEqual([]);
    expect(nothing).toEqual({ resumes: out.change.changeId, change: null, message: 'nothing left to do' });
    // A drift fails the published schema: an entry status apply never writes.
    const drifted = structuredClone(out);
    drifted.change.entries[0].status = 'overwritten';
    expect(applySchema(drifted)).not.toEqual([]);

    const again = await waftune('apply', 'ov-1', 'ip-1', '--yes');
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).toContain('No changes: every web ACL is already as the suggestions want.');
  });

  it('changes lists the history with who and what; one change shows its diff', async () => {
    const list = await waftune('changes');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`${firstChange} .* apply ov-1, ip-1: 5 applied, 0 unchanged, 1 failed`),
    );
    expect(list.stdout).toContain('(resumes');
    const detail = await waftune('changes', firstChange.slice(0, 17));
    expect(detail.stdout).toContain(`Change ${firstChange}`);
    expect(detail.stdout).toContain('+ rule waftune-override-SizeRestrictions_BODY');
    const json = JSON.parse((await waftune('changes', '--json')).stdout);
    expect(json[0]).toMatchObject({
      id: firstChange,
      kind: 'apply',
      status: 'partial',
      suggestions: ['ov-1', 'ip-1'],
    });
  });

  it('expire removes IP blocks past their date (the history says when)', async () => {
    const none = await waftune('expire');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No IP block has expired.');
    const noneJson = await waftune('expire', '--json');
    expect(noneJson.code).toBe(0);
    const upcoming = JSON.parse(noneJson.stdout);
    expect(expireSchema(upcoming)).toEqual([]);
    expect(upcoming).toMatchObject({ plan: { sets: [] }, change: null });
    expect(upcoming.plan.upcoming.map((u: { address: string }) => u.address)).toContain('198.51.100.7/32');
    expireEveryBlock();
    // Not confirmed (no terminal, no --yes): the plan and why nothing was removed.
    const unconfirmed = await waftune('expire', '--json');
    expect(unconfirmed.code).toBe(1);
    const due = JSON.parse(unconfirmed.stdout);
    expect(expireSchema(due)).toEqual([]);
    expect(due).toMatchObject({ change: null, error: expect.stringContaining('pass --yes') });
    expect(due.plan.sets.map((x: { status: string }) => x.status)).toEqual(['remove', 'remove']);
    expect(
      expireSchema({ ...due, plan: { ...due.plan, sets: [{ ...due.plan.sets[0], status: 'purge' }] } }),
    ).not.toEqual([]);
    const run = await waftune('expire', '--yes');
    expect(run.stdout).toContain('remove 1 expired address');
    expect(run.stdout).toContain('- 198.51.100.7/32');
    expect(run.code).toBe(0);
    expect(ep.ipSet('waftune-blocked-ipv4')?.ipSet.Addresses).toEqual([]);
    expect(ep.ipSet('waftune-blocked-ipv4', 'CLOUDFRONT', 'us-east-1')?.ipSet.Addresses).toEqual([]);
  });

  it('rollback restores what nobody touched since and explains each conflict (exit 2)', async () => {
    ep.editWebAcl('site-a', (acl) => {
      acl.Rules = [...(acl.Rules ?? []), rateRule('console-edit', 77)];
    });
    // Without --yes and a terminal: the plan, its conflicts, and why nothing was rolled back.
    const writes = ep.operations('UpdateWebACL').length;
    const unconfirmed = await waftune('rollback', firstChange, '--json');
    expect(unconfirmed.code).toBe(1);
    const planned = JSON.parse(unconfirmed.stdout);
    expect(rollbackSchema(planned)).toEqual([]);
    expect(planned).toMatchObject({ change: null, error: expect.stringContaining('pass --yes') });
    const item = (type: string, name: string, scope = 'REGIONAL') =>
      planned.plan.items.find(
        (i: { target: { type: string; name: string; scope: string } }) =>
          i.target.type === type && i.target.name === name && i.target.scope === scope,
      );
    expect(item('web-acl', 'site-a')).toMatchObject({
      action: 'conflict',
      since: { diff: [{ op: 'add', name: 'console-edit' }], laterChanges: [] },
    });
    expect(item('web-acl', 'site-b')).toMatchObject({ action: 'restore', since: null, addresses: null });
    expect(item('ip-set', 'waftune-blocked-ipv4')).toMatchObject({
      action: 'conflict',
      since: { addressDiff: { add: [], remove: ['198.51.100.7/32'] } },
    });
    expect(
      rollbackSchema({
        ...planned,
        plan: { ...planned.plan, items: [{ ...item('web-acl', 'site-b'), action: 'overwrite' }] },
      }),
    ).not.toEqual([]);
    expect(ep.operations('UpdateWebACL').length).toBe(writes);
    const run = await waftune('rollback', firstChange, '--yes');
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      '! web ACL site-a (REGIONAL eu-west-1): conflict: the web ACL changed since this change (outside waftune); rolling back would undo that edit',
    );
    expect(run.stdout).toContain('+ rule console-edit (priority 77)');
    expect(run.stdout).toContain('+ web ACL site-b (REGIONAL eu-west-1): applied');
    expect(ep.webAcl('site-b').acl.Rules?.map((r) => r.Name)).toEqual([
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
    ]);
    expect(JSON.stringify(ep.webAcl('site-a').acl.Rules)).toContain('console-edit');
    // the IP sets were changed since by `expire`: named, not overwritten
    expect(run.stdout).toMatch(
      /! IP set waftune-blocked-ipv4 \(REGIONAL eu-west-1\): conflict: the IP set changed since this change \(by waftune change \d{8}-\d{6}-[0-9a-f]{4}; roll that back first\)/,
    );
    expect(ep.ipSet('waftune-blocked-ipv4')?.ipSet.Addresses).toEqual([]);
    const history = await waftune('changes');
    expect(history.stdout).toContain(`(rolled back by`);
  });

  it('apply, expire and rollback --json print the change they made, as the published schemas say', async () => {
    const apply = await waftune('apply', 'ip-1', '--yes', '--json');
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    const applied = JSON.parse(apply.stdout);
    expect(applySchema(applied)).toEqual([]);
    expect(applied.change).toMatchObject({ kind: 'apply', status: 'done' });
    expireEveryBlock();
    const expire = await waftune('expire', '--yes', '--json');
    expect(expire.code, expire.stderr + expire.stdout).toBe(0);
    const expired = JSON.parse(expire.stdout);
    expect(expireSchema(expired)).toEqual([]);
    expect(expired.change).toMatchObject({
      kind: 'expire',
      status: 'done',
      counts: { applied: 2, failed: 0 },
      storeProblems: [],
      location: join(stateDir, 'changes'),
    });
    expect(ep.ipSet('waftune-blocked-ipv4')?.ipSet.Addresses).toEqual([]);
    // Undoing the expiry puts the address back: a rollback with its change.
    const undo = await waftune('rollback', expired.change.changeId, '--yes', '--json');
    expect(undo.code, undo.stderr + undo.stdout).toBe(0);
    const undone = JSON.parse(undo.stdout);
    expect(rollbackSchema(undone)).toEqual([]);
    expect(undone.plan.items.map((i: { action: string }) => i.action)).toEqual(['restore', 'restore']);
    expect(undone.change).toMatchObject({ kind: 'rollback', status: 'done', counts: { applied: 2 } });
    expect(ep.ipSet('waftune-blocked-ipv4')?.ipSet.Addresses).toEqual(['198.51.100.7/32']);
  });

  it('--acl naming no web ACL is a warning and exit 2', async () => {
    // --region stands in for AWS_REGION (the standard SDK configuration otherwise)
    const run = await waftuneWith(
      { AWS_REGION: undefined },
      'plan',
      'ov-1',
      '--acl',
      'no-such-site',
      '--region',
      'eu-west-1',
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('warning: --acl no-such-site: no such web ACL among the targets');
    expect(run.stdout).toContain('waftune plan: 1 suggestion, 0 web ACLs');
    expect(run.stdout).not.toContain('no AWS region');
    const noRegion = await waftuneWith({ AWS_REGION: undefined }, 'plan', 'ov-1');
    expect(noRegion.stdout).toContain('warning: no AWS region set: only CLOUDFRONT web ACLs were looked at');
  });
});
