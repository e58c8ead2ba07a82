import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../fixtures/generator/index.js';
import type { Report } from '../../schemas/report.js';
import { runCli } from '../support/run-cli.js';

/**
 * A central log bucket that two accounts deliver to: one fleet to analyse (attackers cross
 * accounts), cut per account in the report, and `--account` for a client's own view.
 */

const AGENCY = '111122223333';
const CLIENT = '444455556666';
let dir: string;
let logs: string;
let config: string;

function files(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function waftune(args: string[]) {
  return runCli([...args, '--state-dir', join(dir, 'state'), '--config', config], {
    NO_COLOR: '1',
    NODE_NO_WARNINGS: '1',
    WAFTUNE_AUDIT_URL: undefined,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'waftune-accounts-'));
  logs = join(dir, 'logs');
  await writeFleet(logs, { seed: 31, day: '2025-05-01', sites: 10, scale: 0.2 });
  // The US load balancer and one CloudFront distribution belong to the client's own account.
  for (const file of files(logs)) {
    const raw = readFileSync(file);
    const gz = raw[0] === 0x1f && raw[1] === 0x8b;
    const text = (gz ? gunzipSync(raw) : raw).toString('utf8');
    const moved = text.replace(
      new RegExp(
        `(arn:aws:wafv2:[a-z0-9-]+:)${AGENCY}(:(?:regional|global)/webacl/(?:wp-fleet-us-alb-1|wp-fleet-cf-2)/)`,
        'g',
      ),
      `$1${CLIENT}$2`,
    );
    writeFileSync(file, gz ? gzipSync(moved) : moved);
  }
  config = join(dir, 'waftune.json');
  writeFileSync(
    config,
    JSON.stringify({
      fleet: {
        accounts: [
          { name: 'agency', id: AGENCY, profile: 'agency', regions: ['eu-west-1', 'us-east-1'] },
          {
            name: 'client-us',
            roleArn: `arn:aws:iam::${CLIENT}:role/waftune`,
            externalId: 'x-123',
            regions: ['us-east-1'],
          },
        ],
      },
    }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a central log bucket over several accounts', () => {
  it('is analysed as one fleet with one line per account, named as the fleet file names them', async () => {
    const run = await waftune(['analyze', logs, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    const lines = report.accounts ?? [];
    expect(lines.map((a) => `${a.account}:${a.name}`).sort()).toEqual([
      `${AGENCY}:agency`,
      `${CLIENT}:client-us`,
    ]);
    const total = lines.reduce((n, a) => n + a.blocked, 0);
    expect(total).toBeGreaterThan(0);
    expect(lines.reduce((n, a) => n + a.webAcls, 0)).toBe(report.fleet.webAcls);
    const text = await waftune(['analyze', logs]);
    expect(text.stdout).toContain('Per account');
    expect(text.stdout).toMatch(new RegExp(`${CLIENT}\\s+client-us\\s+2\\s+`));
  });

  it('--account cuts the report and the digest to one account (by name or id)', async () => {
    const run = await waftune(['analyze', logs, '--json', '--account', 'client-us']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.fleet.webAcls).toBe(2);
    expect(report.accounts?.map((a) => a.account)).toEqual([CLIENT]);
    for (const s of report.suggestions) {
      const arns = s.kind === 'rule-override' ? s.webAcls : s.evidence.webAcls;
      expect(arns.every((a) => a.includes(`:${CLIENT}:`))).toBe(true);
    }
    const digest = await waftune(['digest', logs, '--json', '--time-zone', 'UTC', '--account', CLIENT]);
    expect(digest.code, digest.stderr).toBe(0);
    expect(JSON.parse(digest.stdout).digest.fleet.webAcls).toBe(2);
    const unknown = await waftune(['analyze', logs, '--account', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      '--account nobody: not a 12-digit account id, nor a name in the fleet file (agency, client-us)',
    );
  }, 180_000);
});
