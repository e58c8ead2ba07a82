import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startLocalS3 } from '../cloud/local-s3.js';
import { publishedSchema } from '../support/published-schema.js';
import { runCli } from '../support/run-cli.js';
import {
  type LocalWafv2,
  managedGroupRule,
  rateRule,
  startLocalWafv2,
} from '../support/wafv2-local-endpoint.js';
import { ipBlock, override, suggestionSet } from './suggestions.js';

/**
 * The change history in S3 (`--audit s3://...` or $WAFTUNE_AUDIT_URL): the real CLI against s3rver
 * and the local WAFv2, so apply, changes and expire from a laptop share one history with the
 * scheduled functions.
 */

const BUCKET = 'waftune-stack';
const AUDIT = `s3://${BUCKET}/changes/`;
let s3: LocalS3;
let ep: LocalWafv2;
let dir: string;
let stateDir: string;

function waftune(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli([...args, '--state-dir', stateDir], {
    AWS_ENDPOINT_URL_WAFV2: ep.url,
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    WAFTUNE_AUDIT_URL: undefined,
    NO_COLOR: '1',
    NODE_NO_WARNINGS: '1',
    ...env,
  });
}

async function keys(prefix: string): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  ep = await startLocalWafv2();
  for (const name of ['site-a', 'site-b'])
    ep.seedWebAcl({
      name,
      rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1), rateRule('rate-login', 2)],
    });
  dir = mkdtempSync(join(tmpdir(), 'waftune-cli-s3-'));
  stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  writeFileSync(
    join(stateDir, 'suggestions.json'),
    JSON.stringify(
      suggestionSet([override('ov-1', ['site-a', 'site-b']), ipBlock('ip-1', ['198.51.100.7'])]),
    ),
  );
});

afterAll(async () => {
  expect(ep.rejected).toEqual([]);
  await ep?.close();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('waftune with the change history in S3', () => {
  let changeId = '';

  it('apply --audit records the change in S3, nothing under the state dir', async () => {
    const run = await waftune(['apply', 'ov-1', 'ip-1', '--yes', '--audit', AUDIT]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain(`Recorded in ${AUDIT}.`);
    changeId = /Change (\d{8}-\d{6}-[0-9a-f]{4}):/.exec(run.stdout)?.[1] ?? '';
    expect(changeId).not.toBe('');
    expect((await keys(`changes/${changeId}/`)).sort()).toEqual([
      `changes/${changeId}/entry-00000.json`,
      `changes/${changeId}/entry-00001.json`,
      `changes/${changeId}/entry-00002.json`,
      `changes/${changeId}/header.json`,
      `changes/${changeId}/summary.json`,
    ]);
    expect(existsSync(join(stateDir, 'changes'))).toBe(false);
  });

  it('changes and plan read the same history through $WAFTUNE_AUDIT_URL', async () => {
    const list = JSON.parse((await waftune(['changes', '--json'], { WAFTUNE_AUDIT_URL: AUDIT })).stdout);
    expect(list).toMatchObject([
      { id: changeId, kind: 'apply', status: 'done', suggestions: ['ov-1', 'ip-1'] },
    ]);
    // What `changes --json` prints is what the published JSON Schemas say, checked by a JSON Schema validator.
    expect(publishedSchema('change-list.schema.json')(list)).toEqual([]);
    const one = JSON.parse(
      (await waftune(['changes', changeId, '--json'], { WAFTUNE_AUDIT_URL: AUDIT })).stdout,
    );
    const changeSchema = publishedSchema('change.schema.json');
    expect(changeSchema(one)).toEqual([]);
    expect(one.entries).toHaveLength(3);
    expect(changeSchema({ ...one, header: { ...one.header, kind: 'delete-everything' } })).not.toEqual([]);
    const local = JSON.parse((await waftune(['changes', '--json'])).stdout);
    expect(local).toEqual([]);
    const plan = await waftune(['plan', 'ip-1'], { WAFTUNE_AUDIT_URL: AUDIT });
    expect(plan.code, plan.stderr).toBe(0);
  });

  it('expire --audit removes what the S3 history says is past its date, and records that there', async () => {
    // Let time pass: the recorded expiry of the IP set entry moves to yesterday.
    for (const key of (await keys(`changes/${changeId}/entry-`)).sort()) {
      const got = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const entry = JSON.parse((await got.Body?.transformToString()) ?? '{}');
      for (const b of entry.ipBlocks ?? []) b.expiresAt = new Date(Date.now() - 86_400_000).toISOString();
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(entry) }));
    }
    const run = await waftune(['expire', '--yes', '--audit', AUDIT]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('- 198.51.100.7/32');
    expect(ep.ipSet('waftune-blocked-ipv4')?.ipSet.Addresses).toEqual([]);
    const list = JSON.parse((await waftune(['changes', '--json', '--audit', AUDIT])).stdout);
    expect(list.map((c: { kind: string }) => c.kind)).toEqual(['apply', 'expire']);
  });

  it('decisions live in the same S3 history: decline there, and plan there leaves the suggestion out', async () => {
    const run = await waftune(['decline', 'ov-1', '--reason', 'not now', '--by', 'bob'], {
      WAFTUNE_AUDIT_URL: AUDIT,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Recorded in ${AUDIT}decisions/`);
    const stored = await keys('changes/decisions/');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^changes\/decisions\/dec-\d{8}-\d{6}-[0-9a-f]{4}\.json$/);
    const listed = JSON.parse((await waftune(['decisions', '--json', '--audit', AUDIT])).stdout);
    expect(listed.decisions).toMatchObject([
      { suggestionId: 'ov-1', by: { user: 'bob' }, reason: 'not now' },
    ]);
    expect(JSON.parse((await waftune(['decisions', '--json'])).stdout).decisions).toEqual([]);
    const plan = await waftune(['plan', 'ov-1', '--audit', AUDIT]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('ov-1 was declined on');
    // The change history itself still lists only the changes.
    const list = JSON.parse((await waftune(['changes', '--json', '--audit', AUDIT])).stdout);
    expect(list.map((c: { kind: string }) => c.kind)).toEqual(['apply', 'expire']);
  });

  it('refuses an --audit that is not an S3 URL (a usage error)', async () => {
    const run = await waftune(['changes', '--audit', '/tmp/history']);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('--audit takes s3://bucket/prefix');
  });
});
