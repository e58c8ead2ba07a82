import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedSchema } from '../support/published-schema.js';
import { runCli } from '../support/run-cli.js';
import { type LocalSts, startLocalSts } from '../support/sts-local-endpoint.js';
import {
  type LocalWafv2,
  managedGroupRule,
  rateRule,
  startLocalWafv2,
} from '../support/wafv2-local-endpoint.js';
import { ipBlock, override, suggestionSet } from './suggestions.js';

/**
 * An agency's fleet: the operator's own credentials (account 999999999999) assume a role in each
 * client account through STS (the SDK's fromTemporaryCredentials, against a local STS that checks
 * every request against the STS model), and one local WAFv2 keeps each account's web ACLs apart by
 * the caller's access key. Client C's role refuses the agency: it is reported once, the others go on.
 */

const OPS = '999999999999';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const ROLE = (account: string) => `arn:aws:iam::${account}:role/waftune-agency`;

let sts: LocalSts;
let ep: LocalWafv2;
let dir: string;
let stateDir: string;
let configFile: string;
const arns: Record<string, string> = {};

function waftune(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli([...args, '--state-dir', stateDir, '--config', configFile], {
    AWS_ENDPOINT_URL_WAFV2: ep.url,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ACCESS_KEY_ID: 'AKIDAGENCYOPS',
    AWS_SECRET_ACCESS_KEY: 'agency-secret',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    WAFTUNE_AUDIT_URL: undefined,
    NO_COLOR: '1',
    NODE_NO_WARNINGS: '1',
    ...env,
  });
}

const siteRules = () => [managedGroupRule('AWSManagedRulesCommonRuleSet', 1), rateRule('rate-login', 2)];

beforeAll(async () => {
  sts = await startLocalSts();
  sts.addCaller('AKIDAGENCYOPS', OPS);
  sts.addRole({ arn: ROLE(A), externalId: 'client-a-7f3e', trustedAccounts: [OPS] });
  sts.addRole({ arn: ROLE(B), trustedAccounts: [OPS] });
  // Client C never set up the role: AssumeRole is refused.
  ep = await startLocalWafv2({ accountOf: (key) => sts.accountOf(key) });
  arns.a1 = ep.seedWebAcl({ name: 'client-a-shop', account: A, rules: siteRules() }).acl.ARN;
  arns.a2 = ep.seedWebAcl({ name: 'client-a-blog', account: A, rules: siteRules() }).acl.ARN;
  arns.b1 = ep.seedWebAcl({ name: 'client-b-www', account: B, rules: siteRules() }).acl.ARN;
  arns.b2 = ep.seedWebAcl({
    name: 'client-b-cdn',
    account: B,
    scope: 'CLOUDFRONT',
    rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 0)],
  }).acl.ARN;
  arns.c1 = `arn:aws:wafv2:eu-west-1:${C}:regional/webacl/client-c-www/0b5b7a7e-0000-4000-8000-000000000001`;
  dir = mkdtempSync(join(tmpdir(), 'waftune-fleet-'));
  stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  configFile = join(dir, 'waftune.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      fleet: {
        sessionName: 'waftune-ops',
        accounts: [
          { name: 'client-a', roleArn: ROLE(A), externalId: 'client-a-7f3e', regions: ['eu-west-1'] },
          { name: 'client-b', roleArn: ROLE(B), regions: ['eu-west-1'] },
          { name: 'client-c', roleArn: ROLE(C), regions: ['eu-west-1'] },
        ],
      },
    }),
  );
  // A central log bucket: one suggestion names web ACLs of all three accounts.
  writeFileSync(
    join(stateDir, 'suggestions.json'),
    JSON.stringify(
      suggestionSet([
        override('ov-fleet', [arns.a1 as string, arns.b1 as string, arns.b2 as string, arns.c1 as string]),
        ipBlock('ip-fleet', ['198.51.100.7']),
      ]),
    ),
  );
});

afterAll(async () => {
  // Every request the real SDK sent, to STS and to WAFv2, was valid for the published models.
  expect(sts.rejected).toEqual([]);
  expect(ep.rejected).toEqual([]);
  expect(ep.badResponses).toEqual([]);
  await ep.close();
  await sts.close();
  rmSync(dir, { recursive: true, force: true });
});

let change = '';

describe('a fleet of accounts: plan, apply, rollback and expire with AssumeRole per account', () => {
  it('plan assumes each role once, plans each account and web ACL, and names the account it cannot reach', async () => {
    const run = await waftune(['plan']);
    expect(run.code, run.stderr).toBe(2);
    const out = run.stdout;
    expect(out).toContain(`~ web ACL client-a-shop (REGIONAL eu-west-1, account client-a (${A}))`);
    expect(out).toContain(`~ web ACL client-b-cdn (CLOUDFRONT us-east-1, account client-b (${B}))`);
    expect(out).toContain(
      `+ IP set waftune-blocked-ipv4 (REGIONAL eu-west-1, account client-a (${A})): create`,
    );
    expect(out).toContain(
      `+ IP set waftune-blocked-ipv4 (REGIONAL eu-west-1, account client-b (${B})): create`,
    );
    // the IP block goes on every web ACL of every reachable account, client-a-blog included
    expect(out).toContain('~ web ACL client-a-blog');
    expect(out).toMatch(
      /warning: account client-c \(333333333333\) is left out: cannot assume arn:aws:iam::333333333333:role\/waftune-agency: AccessDenied: User: arn:aws:iam::999999999999:user\/waftune-operator is not authorized/,
    );
    expect(out.match(/client-c/g)?.length).toBe(1);
    const assumed = sts.requests.filter((r) => r.action === 'AssumeRole');
    expect(assumed.map((r) => r.params.RoleArn).sort()).toEqual([ROLE(A), ROLE(B), ROLE(C)]);
    expect(assumed.find((r) => r.params.RoleArn === ROLE(A))?.params).toMatchObject({
      ExternalId: 'client-a-7f3e',
      RoleSessionName: 'waftune-ops',
    });
    // each account's web ACLs were read with that account's session, never the operator's own keys
    const reads = ep.requests.filter((r) => r.operation === 'GetWebACL');
    expect(new Set(reads.map((r) => r.account))).toEqual(new Set([A, B]));
    expect(ep.operations('UpdateWebACL')).toEqual([]);

    const json = JSON.parse((await waftune(['plan', '--json'])).stdout);
    expect(
      json.webAcls.map(
        (w: { name: string; account: string; status: string }) => `${w.account}:${w.name}:${w.status}`,
      ),
    ).toEqual([
      `${A}:client-a-blog:change`,
      `${A}:client-a-shop:change`,
      `${B}:client-b-cdn:change`,
      `${B}:client-b-www:change`,
    ]);
    expect(json.problems.join('\n')).toContain('account client-c (333333333333) is left out');
  });

  it('apply writes each account with its own credentials and records the account of every target', async () => {
    const run = await waftune(['apply', '--yes']);
    expect(run.code, run.stderr + run.stdout).toBe(2);
    change = /Change (\S+): 7 applied, 0 unchanged, 0 refused, 0 failed\./.exec(run.stdout)?.[1] ?? '';
    expect(change).not.toBe('');
    for (const [name, account, scope, region] of [
      ['client-a-shop', A, 'REGIONAL', 'eu-west-1'],
      ['client-b-www', B, 'REGIONAL', 'eu-west-1'],
      ['client-b-cdn', B, 'CLOUDFRONT', 'us-east-1'],
    ] as const) {
      const rules = ep.webAcl(name, scope, region, account).acl.Rules ?? [];
      expect(rules.map((r) => r.Name)).toContain('waftune-override-SizeRestrictions_BODY');
      expect(rules.map((r) => r.Name)).toContain('waftune-ip-block-ipv4');
    }
    expect(ep.ipSet('waftune-blocked-ipv4', 'REGIONAL', 'eu-west-1', A)?.ipSet.ARN).toContain(`:${A}:`);
    expect(ep.ipSet('waftune-blocked-ipv4', 'REGIONAL', 'eu-west-1', B)?.ipSet.ARN).toContain(`:${B}:`);
    const updates = ep.requests.filter((r) => r.operation === 'UpdateWebACL');
    expect(
      updates.every((u) => String(u.body.Name).startsWith(u.account === A ? 'client-a' : 'client-b')),
    ).toBe(true);

    const record = JSON.parse((await waftune(['changes', change, '--json'])).stdout);
    expect(record.header.accounts).toEqual([
      { id: A, name: 'client-a', status: 'reached' },
      { id: B, name: 'client-b', status: 'reached' },
      expect.objectContaining({ id: C, name: 'client-c', status: 'unavailable' }),
    ]);
    const webAcls = record.entries.filter((e: { target: { type: string } }) => e.target.type === 'web-acl');
    expect(
      webAcls
        .map((e: { target: { name: string; account: string } }) => `${e.target.account}:${e.target.name}`)
        .sort(),
    ).toEqual([`${A}:client-a-blog`, `${A}:client-a-shop`, `${B}:client-b-cdn`, `${B}:client-b-www`]);
    const history = await waftune(['changes', change]);
    expect(history.stdout).toContain(
      `web ACL client-b-www (REGIONAL eu-west-1, account client-b (${B})): applied`,
    );
  });

  it('apply --resume, once client C has set up the role, does client C only', async () => {
    sts.addRole({ arn: ROLE(C), trustedAccounts: [OPS] });
    ep.seedWebAcl({
      name: 'client-c-www',
      account: C,
      id: '0b5b7a7e-0000-4000-8000-000000000001',
      rules: siteRules(),
    });
    const updates = ep.operations('UpdateWebACL').length;
    const run = await waftune(['apply', '--resume', change, '--yes', '--json']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(publishedSchema('apply.schema.json')(out)).toEqual([]);
    expect(out.plan.webAcls.map((w: { account: string; name: string }) => `${w.account}:${w.name}`)).toEqual([
      `${C}:client-c-www`,
    ]);
    expect(
      out.change.entries.map(
        (e: { target: { account: string; type: string } }) => `${e.target.account}:${e.target.type}`,
      ),
    ).toEqual([`${C}:ip-set`, `${C}:web-acl`]);
    expect(ep.operations('UpdateWebACL').length - updates).toBe(1);
    sts.removeRole(ROLE(C));
  });

  it('rollback restores per account: an account that fails is reported, the others are restored', async () => {
    sts.removeRole(ROLE(B));
    // Asked without --yes and a terminal: the plan says what fails where, in the published shape.
    const unconfirmed = await waftune(['rollback', change, '--json']);
    expect(unconfirmed.code).toBe(1);
    const planned = JSON.parse(unconfirmed.stdout);
    expect(publishedSchema('rollback.schema.json')(planned)).toEqual([]);
    expect(planned.error).toContain('pass --yes');
    const actions = (account: string) => [
      ...new Set(
        planned.plan.items
          .filter((i: { target: { account: string } }) => i.target.account === account)
          .map((i: { action: string }) => i.action),
      ),
    ];
    expect(actions(A).sort()).toEqual(['delete', 'restore']); // the IP set the change created goes
    expect(actions(B)).toEqual(['failed']);
    const run = await waftune(['rollback', change, '--yes']);
    expect(run.code, run.stderr + run.stdout).toBe(2);
    expect(run.stdout).toMatch(/warning: account client-b \(222222222222\) is left out: cannot assume/);
    expect(run.stdout).toContain(
      `+ web ACL client-a-shop (REGIONAL eu-west-1, account client-a (${A})): applied`,
    );
    expect(ep.webAcl('client-a-shop', 'REGIONAL', 'eu-west-1', A).acl.Rules?.map((r) => r.Name)).toEqual([
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
    ]);
    // client B is untouched until its role works again
    expect(ep.webAcl('client-b-www', 'REGIONAL', 'eu-west-1', B).acl.Rules?.map((r) => r.Name)).toContain(
      'waftune-override-SizeRestrictions_BODY',
    );

    sts.addRole({ arn: ROLE(B), trustedAccounts: [OPS] });
    const again = await waftune(['rollback', change, '--yes', '--account', 'client-b']);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).not.toContain('client-a-shop');
    expect(ep.webAcl('client-b-www', 'REGIONAL', 'eu-west-1', B).acl.Rules?.map((r) => r.Name)).toEqual([
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
    ]);
    expect(ep.webAcl('client-b-cdn', 'CLOUDFRONT', 'us-east-1', B).acl.Rules?.map((r) => r.Name)).toEqual([
      'AWS-AWSManagedRulesCommonRuleSet',
    ]);
  });

  it('expire removes expired blocks account by account, each with its own credentials', async () => {
    const apply = await waftune(['apply', 'ip-fleet', '--yes', '--account', 'client-a', 'client-b']);
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    for (const id of readdirSync(join(stateDir, 'changes'))) {
      const changeDir = join(stateDir, 'changes', id);
      for (const f of readdirSync(changeDir).filter((n) => n.startsWith('entry-'))) {
        const entry = JSON.parse(readFileSync(join(changeDir, f), 'utf8'));
        for (const b of entry.ipBlocks ?? []) b.expiresAt = new Date(Date.now() - 86_400_000).toISOString();
        writeFileSync(join(changeDir, f), JSON.stringify(entry));
      }
    }
    const unconfirmed = await waftune(['expire', '--json']);
    expect(unconfirmed.code).toBe(1);
    const due = JSON.parse(unconfirmed.stdout);
    expect(publishedSchema('expire.schema.json')(due)).toEqual([]);
    // Each IP set names its account: every account has a waftune-blocked-ipv4.
    expect(
      due.plan.sets.map(
        (x: { account: string; accountName: string; scope: string; status: string }) =>
          `${x.accountName} ${x.account} ${x.scope} ${x.status}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        `client-a ${A} REGIONAL remove`,
        `client-b ${B} REGIONAL remove`,
        `client-c ${C} REGIONAL failed`,
      ]),
    );
    const run = await waftune(['expire', '--yes']);
    expect(run.code, run.stderr + run.stdout).toBe(2); // client C is not reachable
    expect(run.stdout).toContain(
      `IP set waftune-blocked-ipv4 (REGIONAL eu-west-1, account client-a (${A})): remove 1`,
    );
    expect(ep.ipSet('waftune-blocked-ipv4', 'REGIONAL', 'eu-west-1', A)?.ipSet.Addresses).toEqual([]);
    expect(ep.ipSet('waftune-blocked-ipv4', 'REGIONAL', 'eu-west-1', B)?.ipSet.Addresses).toEqual([]);
    expect(ep.ipSet('waftune-blocked-ipv4', 'CLOUDFRONT', 'us-east-1', B)?.ipSet.Addresses).toEqual([]);
  });

  it("connect sends each account's logs to the stream of that name in its own account and region", async () => {
    const stream = 'aws-waf-logs-waftune-prod';
    const dry = await waftune(['connect', '--stream', stream, '--dry-run']);
    expect(dry.code, dry.stderr + dry.stdout).toBe(2); // client C is not reachable
    expect(dry.stdout).toContain(`account client-a (${A}):`);
    expect(dry.stdout).toMatch(/would enable\s+client-a-shop/);
    expect(ep.operations('PutLoggingConfiguration')).toEqual([]);
    const run = await waftune(['connect', '--stream', stream, '--json']);
    expect(run.code, run.stderr).toBe(2); // client C is not reachable
    const out = JSON.parse(run.stdout);
    const connectSchema = publishedSchema('connect.schema.json');
    expect(connectSchema(out)).toEqual([]);
    expect(out.unavailable.map((u: { account: string }) => u.account)).toEqual([C]);
    expect(
      out.accounts.map(
        (x: { accountName: string; region: string; stream: string; error: string | null }) =>
          `${x.accountName} ${x.region} ${x.stream} ${x.error}`,
      ),
    ).toEqual([
      `client-a eu-west-1 arn:aws:firehose:eu-west-1:${A}:deliverystream/${stream} null`,
      `client-b eu-west-1 arn:aws:firehose:eu-west-1:${B}:deliverystream/${stream} null`,
    ]);
    expect(connectSchema({ ...out, unavailable: [{ account: C }] })).not.toEqual([]);
    const puts = ep.requests.filter((r) => r.operation === 'PutLoggingConfiguration');
    expect(
      puts
        .map(
          (p) =>
            `${p.account}:${String((p.body.LoggingConfiguration as { ResourceArn: string }).ResourceArn).split('/')[2]}`,
        )
        .sort(),
    ).toEqual([`${A}:client-a-blog`, `${A}:client-a-shop`, `${B}:client-b-www`]);
    for (const p of puts) {
      const config = p.body.LoggingConfiguration as { LogDestinationConfigs: string[] };
      expect(config.LogDestinationConfigs).toEqual([
        `arn:aws:firehose:eu-west-1:${p.account}:deliverystream/${stream}`,
      ]);
    }
    expect(ep.logging('client-b-www', 'REGIONAL', 'eu-west-1', B)).toBeDefined();
    // connect's evidence rule went in with each account's own credentials too, and the change is one record
    const evidence = ep.requests.filter(
      (r) => r.operation === 'UpdateWebACL' && JSON.stringify(r.body).includes('waftune-evidence'),
    );
    expect(new Set(evidence.map((r) => r.account))).toEqual(new Set([A, B]));
    expect(
      out.change.entries.every(
        (e: { target: { account: string } }) => e.target.account === A || e.target.account === B,
      ),
    ).toBe(true);
  });

  it('a fleet file with no reachable account is a failure, said once', async () => {
    const bad = join(dir, 'nobody.json');
    writeFileSync(
      bad,
      JSON.stringify({
        fleet: { accounts: [{ name: 'client-c', roleArn: ROLE(C), regions: ['eu-west-1'] }] },
      }),
    );
    const run = await runCli(['plan', '--state-dir', stateDir, '--config', bad], {
      AWS_ENDPOINT_URL_WAFV2: ep.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ACCESS_KEY_ID: 'AKIDAGENCYOPS',
      AWS_SECRET_ACCESS_KEY: 'agency-secret',
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      NO_COLOR: '1',
    });
    expect(run.code).toBe(1);
    expect(run.stdout.match(/is left out/g)?.length).toBe(1);
  });

  it('the fleet section is validated, naming the file and the key', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        fleet: {
          accounts: [
            { name: 'x', profile: 'client-x', regions: ['eu-west-1'] },
            { name: 'y', roleArn: 'arn:aws:iam::12:role/nope', regions: ['mars-1'] },
          ],
        },
      }),
    );
    const run = await runCli(['plan', '--state-dir', stateDir, '--config', bad], { NO_COLOR: '1' });
    // A usage error (cli/exit.ts): nothing was done with a configuration that is not what was meant.
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`config ${bad} is not valid`);
    expect(run.stderr).toContain('fleet.accounts[0].id: required with a profile');
    expect(run.stderr).toContain('fleet.accounts[1].roleArn: an IAM role ARN');
    expect(run.stderr).toContain('fleet.accounts[1].regions[0]: an AWS region');
  });
});
