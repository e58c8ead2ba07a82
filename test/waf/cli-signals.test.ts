import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileAuditStore } from '../../adapters/audit-store-fs.js';
import { type LocalWafv2, managedGroupRule, startLocalWafv2 } from '../support/wafv2-local-endpoint.js';
import { override, suggestionSet } from './suggestions.js';

/** Ctrl-C during `apply`: the web ACLs being written finish and are recorded, then it stops and says how to resume. */

const ROOT = join(import.meta.dirname, '..', '..');
const SITES = Array.from({ length: 12 }, (_, i) => `site-${String(i).padStart(2, '0')}`);
let ep: LocalWafv2;
let dir: string;

beforeAll(async () => {
  // Slow writes, so the signal arrives while the run is under way.
  ep = await startLocalWafv2({ delays: { UpdateWebACL: 700 } });
  for (const name of SITES)
    ep.seedWebAcl({ name, rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)] });
  dir = mkdtempSync(join(tmpdir(), 'waftune-sig-'));
  writeFileSync(join(dir, 'suggestions.json'), JSON.stringify(suggestionSet([override('ov-1', SITES)])));
});

afterAll(async () => {
  await ep.close();
  rmSync(dir, { recursive: true, force: true });
});

it('SIGINT during apply: finishes what is being written, records it, exits 130 and says how to resume', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/waftune.ts', 'apply', '--yes', '--state-dir', dir],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        TMPDIR: dir,
        NO_COLOR: '1',
        NODE_NO_WARNINGS: '1',
        AWS_ENDPOINT_URL_WAFV2: ep.url,
        AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'eu-west-1',
        AWS_CONFIG_FILE: join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let i = 0; i < 1200 && !/: applied/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
  expect(out, err).toMatch(/: applied/);
  child.kill('SIGINT');
  expect(await closed).toBe(130);
  expect(err).toContain('SIGINT: stopping after the current step');
  const id = /waftune apply --resume (\d{8}-\d{6}-[0-9a-f]{4})/.exec(out)?.[1];
  expect(id, out).toBeDefined();
  const record = await new FileAuditStore(dir).get(id as string);
  // Finished and recorded, not left interrupted; fewer web ACLs than asked, each one written is in it.
  expect(record?.summary).toBeDefined();
  const applied = record?.entries.filter((e) => e.status === 'applied').map((e) => e.target.name) ?? [];
  expect(applied.length).toBeGreaterThan(0);
  expect(applied.length).toBeLessThan(SITES.length);
  expect(ep.operations('UpdateWebACL')).toHaveLength(applied.length);
  expect(readdirSync(dir).filter((f) => f.startsWith('waftune-run-'))).toEqual([]);
}, 120_000);
