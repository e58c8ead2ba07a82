import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3AuditStore } from '../../adapters/audit-store-s3.js';
import type { Wafv2Port } from '../../adapters/wafv2.js';
import { expireLocations, expireOnce } from '../../functions/expire/expire.js';
import { readExpireSettings } from '../../functions/expire/settings.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { applyWork } from '../../src/waf/apply.js';
import { ipBlockLedger } from '../../src/waf/expire.js';
import { planWork, workToApply } from '../../src/waf/plan.js';
import type { WafLocation, WafScope } from '../../src/waf/types.js';
import { prepareWork } from '../../src/waf/work.js';
import { closeChecked, FAST_RETRY, localWafPort } from '../support/local-waf-port.js';
import { type LocalWafv2, managedGroupRule, startLocalWafv2 } from '../support/wafv2-local-endpoint.js';
import { ipBlock } from '../waf/suggestions.js';
import { type LocalS3, startLocalS3 } from './local-s3.js';

/**
 * The scheduled expire function against the local WAFv2 and s3rver: the history the CLI writes
 * with `--audit s3://<bucket>/changes/` is what the function reads, and it touches only the IP
 * sets of the places its stack is for.
 */

const BUCKET = 'waftune-stack';
const FAST = FAST_RETRY;
const DAY0 = new Date('2025-06-01T00:00:00Z');
const DAY3 = new Date('2025-06-04T00:00:00Z');
const functionActor = { user: 'lambda:waftune-test-expire', host: 'eu-west-1' };
const EU: WafLocation[] = [{ scope: 'REGIONAL', region: 'eu-west-1' }];

let s3: LocalS3;
let ep: LocalWafv2;
let port: Wafv2Port;
let store: S3AuditStore;
let run = 0;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => {
  await s3?.close();
});

beforeEach(async () => {
  ep = await startLocalWafv2();
  port = localWafPort(ep);
  store = new S3AuditStore(s3.client, BUCKET, `t${run++}/changes/`);
  ep.seedWebAcl({ name: 'site-eu', rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)] });
  ep.seedWebAcl({
    name: 'site-us',
    region: 'us-west-2',
    rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)],
  });
  ep.seedWebAcl({
    name: 'cdn',
    scope: 'CLOUDFRONT',
    rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)],
  });
});

afterEach(async () => {
  await closeChecked(ep);
});

/** What `waftune apply --audit s3://...` does from a laptop, in one region. */
async function apply(suggestions: Suggestion[], region: string, now = DAY0, scopes?: WafScope[]) {
  const work = await prepareWork(port, suggestions, { region, now, ...(scopes ? { scopes } : {}) });
  const plan = await planWork(port, work);
  return applyWork(port, store, workToApply(plan), {
    actor: { user: 'ops', host: 'laptop' },
    now: () => now,
    retry: FAST,
  });
}

/** Short blocks everywhere (REGIONAL eu-west-1 and us-west-2, CLOUDFRONT), and one that runs on. */
async function blockEverywhere() {
  await apply(
    [ipBlock('ip-short', ['198.51.100.1'], 1), ipBlock('ip-long', ['198.51.100.2'], 30)],
    'eu-west-1',
  );
  await apply([ipBlock('ip-us', ['198.51.100.3'], 1)], 'us-west-2', DAY0, ['REGIONAL']);
}

const addresses = (scope: 'REGIONAL' | 'CLOUDFRONT', region: string) =>
  ep.ipSet('waftune-blocked-ipv4', scope, region)?.ipSet.Addresses;

describe('expire function', () => {
  it('removes what is past its date from its own region only, and records the removal in the S3 history', async () => {
    await blockEverywhere();
    expect(addresses('CLOUDFRONT', 'us-east-1')).toEqual(['198.51.100.1/32', '198.51.100.2/32']);
    const before = ep.requests.length;

    const result = await expireOnce(
      { port, store },
      { now: () => DAY3, locations: EU, actor: functionActor, retry: FAST },
    );

    expect(result).toMatchObject({
      removed: 1,
      failed: 0,
      storeProblems: [],
      upcoming: 1,
      nextExpiry: '2025-07-01T00:00:00.000Z',
      sets: [
        {
          name: 'waftune-blocked-ipv4',
          scope: 'REGIONAL',
          region: 'eu-west-1',
          status: 'removed',
          addresses: ['198.51.100.1/32'],
        },
      ],
    });
    expect(addresses('REGIONAL', 'eu-west-1')).toEqual(['198.51.100.2/32']);
    // Other places belong to other stacks (or to CLOUDFRONT, not configured here): untouched.
    expect(addresses('CLOUDFRONT', 'us-east-1')).toEqual(['198.51.100.1/32', '198.51.100.2/32']);
    expect(addresses('REGIONAL', 'us-west-2')).toEqual(['198.51.100.3/32']);
    // The IP sets are read and written by the ids the history recorded: no List calls, which IAM
    // could only grant on every resource.
    expect(new Set(ep.requests.slice(before).map((r) => r.operation))).toEqual(
      new Set(['GetIPSet', 'UpdateIPSet']),
    );
    expect(new Set(ep.requests.slice(before).map((r) => r.region))).toEqual(new Set(['eu-west-1']));

    const history = await store.list();
    expect(history.map((r) => r.header.kind)).toEqual(['apply', 'apply', 'expire']);
    expect(history[2]?.header.actor).toEqual(functionActor);
    expect(history[2]?.header.id).toBe(result.changeId);
    // The CLI's ledger sees the block gone.
    expect(
      ipBlockLedger(history)
        .map((i) => `${i.location.scope}/${i.location.region} ${i.address}`)
        .sort(),
    ).toEqual([
      'CLOUDFRONT/us-east-1 198.51.100.1/32',
      'CLOUDFRONT/us-east-1 198.51.100.2/32',
      'REGIONAL/eu-west-1 198.51.100.2/32',
      'REGIONAL/us-west-2 198.51.100.3/32',
    ]);
  });

  it('expires CLOUDFRONT blocks through us-east-1 when configured, and records nothing when nothing is due', async () => {
    await blockEverywhere();
    const locations = expireLocations({ AWS_REGION: 'eu-west-1', WAFTUNE_EXPIRE_CLOUDFRONT: 'true' });
    const before = ep.requests.length;
    const result = await expireOnce(
      { port, store },
      { now: () => DAY3, locations, actor: functionActor, retry: FAST },
    );
    expect(result.removed).toBe(2);
    expect(addresses('CLOUDFRONT', 'us-east-1')).toEqual(['198.51.100.2/32']);
    const cloudfront = ep.requests.slice(before).filter((r) => r.body.Scope === 'CLOUDFRONT');
    expect(cloudfront.length).toBeGreaterThan(0);
    expect(new Set(cloudfront.map((r) => r.region))).toEqual(new Set(['us-east-1']));

    const again = await expireOnce(
      { port, store },
      { now: () => DAY3, locations, actor: functionActor, retry: FAST },
    );
    expect(again).toMatchObject({ changeId: null, removed: 0, sets: [], failed: 0 });
    expect((await store.list()).map((r) => r.header.kind)).toEqual(['apply', 'apply', 'expire']);
  });

  it('keeps an address someone adds while it runs (a stale LockToken is retried on a fresh read)', async () => {
    await blockEverywhere();
    let raced = false;
    const racing = Object.create(port) as Wafv2Port;
    racing.updateIpSet = async (ref, next, lockToken, description) => {
      if (!raced) {
        raced = true;
        ep.editIpSet('waftune-blocked-ipv4', (a) => [...a, '192.0.2.50/32']);
      }
      return port.updateIpSet(ref, next, lockToken, description);
    };
    const result = await expireOnce(
      { port: racing, store },
      { now: () => DAY3, locations: EU, actor: functionActor, retry: FAST },
    );
    expect(result.sets[0]?.status).toBe('removed');
    expect(addresses('REGIONAL', 'eu-west-1')).toEqual(['198.51.100.2/32', '192.0.2.50/32']);
  });

  it('a set it may not write is reported and counted, the others still expire', async () => {
    await blockEverywhere();
    const denied = Object.create(port) as Wafv2Port;
    denied.updateIpSet = async (ref, next, lockToken, description) => {
      if (ref.scope === 'CLOUDFRONT')
        throw Object.assign(new Error('not authorized to perform: wafv2:UpdateIPSet'), {
          name: 'AccessDeniedException',
        });
      return port.updateIpSet(ref, next, lockToken, description);
    };
    const locations = expireLocations({ AWS_REGION: 'eu-west-1', WAFTUNE_EXPIRE_CLOUDFRONT: 'true' });
    const result = await expireOnce(
      { port: denied, store },
      { now: () => DAY3, locations, actor: functionActor, retry: FAST },
    );
    expect(result.failed).toBe(1);
    const byScope = Object.fromEntries(result.sets.map((s) => [s.scope, s]));
    expect(byScope.REGIONAL?.status).toBe('removed');
    expect(byScope.CLOUDFRONT?.status).toBe('failed');
    expect(byScope.CLOUDFRONT?.reason).toContain('not authorized');
    expect(addresses('CLOUDFRONT', 'us-east-1')).toEqual(['198.51.100.1/32', '198.51.100.2/32']);
    expect((await store.list()).at(-1)?.summary?.status).toBe('partial');
  });

  it('the handler: settings from its environment, the real clients through AWS_ENDPOINT_URL_*', async () => {
    // The handler goes by the wall clock: one block ended yesterday, one runs for a week.
    const now = Date.now();
    await apply([ipBlock('ip-old', ['198.51.100.9'], 1)], 'eu-west-1', new Date(now - 2 * 86_400_000));
    await apply([ipBlock('ip-new', ['198.51.100.10'], 7)], 'eu-west-1', new Date(now));
    const prefix = store.location.replace(`s3://${BUCKET}/`, '');
    const env = {
      WAFTUNE_BUCKET: BUCKET,
      WAFTUNE_AUDIT_PREFIX: prefix,
      WAFTUNE_EXPIRE_CLOUDFRONT: 'false',
      AWS_ENDPOINT_URL_WAFV2: ep.url,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      expect(() => readExpireSettings({ ...process.env, WAFTUNE_EXPIRE_CLOUDFRONT: 'yes' })).toThrow(
        /WAFTUNE_EXPIRE_CLOUDFRONT/,
      );
      const { handler } = await import('../../functions/expire/handler.js');
      // The local WAFv2's sets are in account 123456789012: the function's own, as in AWS.
      const result = await handler({}, {
        functionName: 'waftune-test-expire',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:waftune-test-expire',
        awsRequestId: 'r1',
      } as Context);
      expect(result).toMatchObject({ removed: 1, failed: 0, storeProblems: [] });
      expect(addresses('REGIONAL', 'eu-west-1')).toEqual(['198.51.100.10/32']);
      const last = (await store.list()).at(-1);
      expect(last?.header).toMatchObject({ kind: 'expire', actor: { user: 'lambda:waftune-test-expire' } });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
