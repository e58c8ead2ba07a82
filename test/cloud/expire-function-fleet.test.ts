import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3AuditStore } from '../../adapters/audit-store-s3.js';
import { expireLocations, expireOnce } from '../../functions/expire/expire.js';
import { readExpireSettings } from '../../functions/expire/settings.js';
import { EXPIRE_SESSION_NAME, type ExpireTargets, expireTargets } from '../../functions/expire/targets.js';
import { applyWork } from '../../src/waf/apply.js';
import { planWork, workToApply } from '../../src/waf/plan.js';
import { prepareWork } from '../../src/waf/work.js';
import { FAST_RETRY } from '../support/local-waf-port.js';
import { type LocalSts, startLocalSts } from '../support/sts-local-endpoint.js';
import { type LocalWafv2, managedGroupRule, startLocalWafv2 } from '../support/wafv2-local-endpoint.js';
import { ipBlock } from '../waf/suggestions.js';
import { type LocalS3, startLocalS3 } from './local-s3.js';

/**
 * The scheduled expire function of an agency's stack (account OPS) with WAFTUNE_EXPIRE_ROLES: it
 * assumes each client account's role through STS (the SDK's fromTemporaryCredentials against a
 * local STS that checks each request against the STS model) and expires the blocks the CLI put in
 * every account, from the change history in the stack's bucket (s3rver). Client C's role refuses
 * the agency: its set is reported as failed, the others are expired.
 */

const OPS = '999999999999';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const ROLE = (account: string) => `arn:aws:iam::${account}:role/waftune-expire`;
const EXTERNAL_ID = 'agency-7f3e';
const BUCKET = 'waftune-agency';
const DAY0 = new Date('2025-06-01T00:00:00Z');
const DAY9 = new Date('2025-06-10T00:00:00Z');

let sts: LocalSts;
let ep: LocalWafv2;
let s3: LocalS3;
let store: S3AuditStore;
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) {
    saved[k] ??= process.env[k];
    process.env[k] = v;
  }
}

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  // s3rver checks signatures with its own key; the rest of the run signs as the agency's function.
  const s3Client = new S3Client({
    endpoint: process.env.AWS_ENDPOINT_URL_S3 as string,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  store = new S3AuditStore(s3Client, BUCKET, 'changes/');
  sts = await startLocalSts();
  sts.addCaller('AKIDAGENCYFN', OPS);
  sts.addRole({ arn: ROLE(A), externalId: EXTERNAL_ID, trustedAccounts: [OPS] });
  sts.addRole({ arn: ROLE(B), trustedAccounts: [OPS] });
  ep = await startLocalWafv2({ accountOf: (key) => sts.accountOf(key) });
  for (const [name, account] of [
    ['agency-site', OPS],
    ['client-a-shop', A],
    ['client-b-www', B],
  ] as const)
    ep.seedWebAcl({ name, account, rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)] });
  setEnv({
    AWS_ENDPOINT_URL_WAFV2: ep.url,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ACCESS_KEY_ID: 'AKIDAGENCYFN',
    AWS_SECRET_ACCESS_KEY: 'agency-secret',
    AWS_REGION: 'eu-west-1',
    AWS_MAX_ATTEMPTS: '1',
  });
});

afterAll(async () => {
  expect(sts.rejected).toEqual([]);
  expect(ep.rejected).toEqual([]);
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await ep?.close();
  await sts?.close();
  await s3?.close();
});

const settings = (roles: string[]) =>
  readExpireSettings({
    WAFTUNE_BUCKET: BUCKET,
    AWS_REGION: 'eu-west-1',
    WAFTUNE_EXPIRE_ROLES: roles.join(', '),
    WAFTUNE_EXPIRE_EXTERNAL_ID: EXTERNAL_ID,
  });

const addresses = (account: string) =>
  ep.ipSet('waftune-blocked-ipv4', 'REGIONAL', 'eu-west-1', account)?.ipSet.Addresses;

/** What `waftune apply` of a fleet does: a one-day block in every account's waftune IP set, on DAY0. */
async function blockEverywhere(id: string, address: string) {
  const everywhere = await expireTargets(settings([ROLE(A), ROLE(B)]), OPS);
  const accounts = [OPS, A, B].map((a) => ({ id: a, name: a, regions: ['eu-west-1'], cloudfront: false }));
  const work = await prepareWork(everywhere.port, [ipBlock(id, [address], 1)], {
    region: 'eu-west-1',
    now: DAY0,
    fleet: { accounts, unavailable: [] },
  });
  const applied = await applyWork(
    everywhere.port,
    store,
    workToApply(await planWork(everywhere.port, work)),
    {
      actor: { user: 'ops', host: 'laptop' },
      now: () => DAY0,
      retry: FAST_RETRY,
    },
  );
  expect(applied.record.entries.filter((e) => e.status === 'applied').length).toBeGreaterThanOrEqual(3);
  for (const account of [OPS, A, B]) expect(addresses(account)).toContain(`${address}/32`);
}

/** One run of the function as its handler makes it, nine days after the blocks began. */
function runFunction(targets: ExpireTargets) {
  return expireOnce(
    { port: targets.port, store },
    {
      now: () => DAY9,
      locations: expireLocations(settings([])),
      actor: { user: 'lambda:waftune-expire', host: 'eu-west-1' },
      retry: FAST_RETRY,
      ...(targets.accounts ? { accounts: targets.accounts } : {}),
      ...(targets.unavailable ? { unavailable: targets.unavailable } : {}),
    },
  );
}

describe('the expire function over several accounts (WAFTUNE_EXPIRE_ROLES)', () => {
  it('expires the blocks of its own account and of every role it can assume; an unreachable one is reported', async () => {
    await blockEverywhere('ip-short', '198.51.100.1');

    // The function, nine days later, with client C's role in its list too.
    const assumedBefore = sts.requests.filter((r) => r.action === 'AssumeRole').length;
    const targets = await expireTargets(settings([ROLE(A), ROLE(B), ROLE(C)]), OPS);
    expect(targets.accounts).toEqual([OPS, A, B, C]);
    expect([...(targets.unavailable?.keys() ?? [])]).toEqual([C]);
    expect(targets.unavailable?.get(C)).toMatch(
      /^cannot assume arn:aws:iam::333333333333:role\/waftune-expire: /,
    );
    const assumed = sts.requests.filter((r) => r.action === 'AssumeRole').slice(assumedBefore);
    // One AssumeRole per role and run, with the external id and the function's session name.
    expect(assumed.map((r) => r.params.RoleArn).sort()).toEqual([ROLE(A), ROLE(B), ROLE(C)]);
    for (const r of assumed) {
      expect(r.params.ExternalId).toBe(EXTERNAL_ID);
      expect(r.params.RoleSessionName).toBe(EXPIRE_SESSION_NAME);
    }
    const result = await runFunction(targets);
    for (const account of [OPS, A, B]) expect(addresses(account)).toEqual([]);
    expect(result.removed).toBe(3);
    expect(result.failed).toBe(0);
    expect(result.sets.map((s) => `${s.account} ${s.status}`).sort()).toEqual(
      [OPS, A, B].map((a) => `${a} removed`).sort(),
    );
  });

  it('without roles, expires only its own account, leaving the others of the history alone (not failed)', async () => {
    await blockEverywhere('ip-second', '198.51.100.2');
    const own = await expireTargets(settings([]), OPS);
    expect(own.accounts).toEqual([OPS]);
    expect(own.unavailable).toBeUndefined();
    const result = await runFunction(own);
    expect(result.sets.map((s) => `${s.account} ${s.status}`)).toEqual([`${OPS} removed`]);
    expect(addresses(OPS)).toEqual([]);
    for (const account of [A, B]) expect(addresses(account)).toEqual(['198.51.100.2/32']);
  });

  it('refuses a role that is not an IAM role ARN, naming the setting', () => {
    expect(() => settings(['arn:aws:iam::12345:role/x'])).toThrow(/WAFTUNE_EXPIRE_ROLES\.0: an IAM role ARN/);
    expect(() => settings([`${ROLE(A)},arn:aws:s3:::bucket`])).toThrow(/WAFTUNE_EXPIRE_ROLES\.1/);
    expect(settings([]).WAFTUNE_EXPIRE_ROLES).toEqual([]);
    expect(
      readExpireSettings({ WAFTUNE_BUCKET: BUCKET, AWS_REGION: 'eu-west-1' }).WAFTUNE_EXPIRE_EXTERNAL_ID,
    ).toBeUndefined();
  });
});
