import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileAuditStore } from '../../adapters/audit-store-fs.js';
import type { Wafv2Port } from '../../adapters/wafv2.js';
import type { IpBlock, Suggestion } from '../../schemas/suggestion.js';
import { applyWork } from '../../src/waf/apply.js';
import { executeExpiry, planExpiry } from '../../src/waf/expire.js';
import { forwardedRuleName } from '../../src/waf/forwarded-ip.js';
import { planWork, workToApply } from '../../src/waf/plan.js';
import { PLAIN, planJson, renderPlan } from '../../src/waf/render.js';
import { executeRollback, planRollback } from '../../src/waf/rollback.js';
import type { Rule } from '../../src/waf/types.js';
import { prepareWork } from '../../src/waf/work.js';
import { FAST_RETRY, type LocalWaf, startLocalWaf } from '../support/local-waf-port.js';
import { type IpSets, matches } from '../support/waf-simulator.js';
import { type LocalWafv2, managedGroupRule, rateRule } from '../support/wafv2-local-endpoint.js';
import { ipBlock } from './suggestions.js';

/**
 * IP blocks on web ACLs behind a CDN: the forwarded-address rule (IPSetForwardedIPConfig) beside
 * the client-IP rule, on exactly the web ACLs the suggestion lists, against the local WAFv2.
 */

const FAST = FAST_RETRY;
const actor = { user: 'tester' };

let waf: LocalWaf;
let ep: LocalWafv2;
let port: Wafv2Port;
let store: FileAuditStore;

beforeEach(async () => {
  waf = await startLocalWaf('fwd');
  ({ ep, port, store } = waf);
  for (const name of ['behind-cdn', 'direct'])
    ep.seedWebAcl({
      name,
      rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1), rateRule('rate-login', 2)],
    });
});

afterEach(() => waf.close());

const arnOf = (name: string) => ep.webAcl(name).acl.ARN;

function forwarded(
  id: string,
  addresses: string[],
  webAcls: string[],
  extra: Partial<IpBlock['forwardedIpConfig']> = {},
): IpBlock {
  return {
    ...ipBlock(id, addresses),
    forwardedIpConfig: {
      headerName: 'X-Forwarded-For',
      position: 'LAST',
      fallbackBehavior: 'NO_MATCH',
      webAcls,
      ...extra,
    },
  };
}

async function run(suggestions: Suggestion[], now = new Date('2026-11-20T00:00:00Z')) {
  const work = await prepareWork(port, suggestions, { region: 'eu-west-1', now });
  const plan = await planWork(port, work);
  const result = await applyWork(port, store, workToApply(plan), { actor, now: () => now, retry: FAST });
  return { plan, ...result };
}

const ordered = (name: string): Rule[] =>
  [...((ep.webAcl(name).acl.Rules ?? []) as unknown as Rule[])].sort((a, b) => a.Priority - b.Priority);

function ipSets(): IpSets {
  const out = new Map<string, string[]>();
  for (const name of ['waftune-blocked-ipv4', 'waftune-blocked-ipv6']) {
    const set = ep.ipSet(name);
    if (set) out.set(set.ipSet.ARN, set.ipSet.Addresses);
  }
  return out;
}

/** Which waftune IP rule of the web ACL blocks the request first (by priority), if any. */
function blockedBy(name: string, clientIp: string, xff?: string): string | null {
  const record = {
    httpRequest: {
      clientIp,
      uri: '/',
      httpMethod: 'GET',
      headers: xff === undefined ? [] : [{ name: 'X-Forwarded-For', value: xff }],
    },
  };
  const sets = ipSets();
  for (const rule of ordered(name)) {
    if (!rule.Name.startsWith('waftune-ip-block-')) continue;
    if (matches(rule.Statement, record, [], sets)) return rule.Name;
  }
  return null;
}

const EDGE = '130.176.1.10'; // a CloudFront edge as the ALB sees it

describe('IP blocks by forwarded address behind a CDN', () => {
  it('writes the forwarded rule only on the listed web ACLs, beside the client-IP rule every web ACL gets', async () => {
    const s = forwarded('ipb-cdn', ['198.51.100.7', '2001:db8:1:2::/64'], [arnOf('behind-cdn')]);
    const { plan, record } = await run([s]);
    expect(record.summary?.status).toBe('done');

    expect(ordered('behind-cdn').map((r) => r.Name)).toEqual([
      'waftune-ip-block-ipv4',
      'waftune-ip-block-ipv6',
      'waftune-ip-block-ipv4-fwd',
      'waftune-ip-block-ipv6-fwd',
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
    ]);
    expect(ordered('direct').map((r) => r.Name)).toEqual([
      'waftune-ip-block-ipv4',
      'waftune-ip-block-ipv6',
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
    ]);
    const v4 = ep.ipSet('waftune-blocked-ipv4')?.ipSet;
    const v6 = ep.ipSet('waftune-blocked-ipv6')?.ipSet;
    // IPv6 ranges go in as WAF stores them; the forwarded rule references the same shared set.
    expect(v4?.Addresses).toEqual(['198.51.100.7/32']);
    expect(v6?.Addresses).toEqual(['2001:db8:1:2::/64']);
    const fwd = ordered('behind-cdn').find((r) => r.Name === 'waftune-ip-block-ipv4-fwd');
    expect(fwd?.Statement).toEqual({
      IPSetReferenceStatement: {
        ARN: v4?.ARN,
        IPSetForwardedIPConfig: {
          HeaderName: 'X-Forwarded-For',
          FallbackBehavior: 'NO_MATCH',
          Position: 'LAST',
        },
      },
    });
    expect(fwd?.Action).toEqual({ Block: {} });

    // The plan says which web ACLs match by forwarded address, with WCU (sets not created yet: estimated).
    const text = renderPlan(plan, PLAIN);
    expect(text).toMatch(
      /~ web ACL behind-cdn \(REGIONAL eu-west-1\) {2}WCU 704 -> 708 \(estimated\) \(\+4\)\n {4}matches blocked addresses by client IP and by forwarded address: X-Forwarded-For \(last address; no match without a valid one\)/,
    );
    expect(text).toContain('last address of header X-Forwarded-For in IP set waftune-blocked-ipv4');
    expect(text).toMatch(
      /~ web ACL direct \(REGIONAL eu-west-1\) {2}WCU 704 -> 706 \(estimated\) \(\+2\)\n {4}\+ rule/,
    );
    const json = planJson(plan) as { webAcls: Array<{ name: string; forwardedIp: unknown[] }> };
    expect(json.webAcls.map((a) => [a.name, a.forwardedIp.length])).toEqual([
      ['behind-cdn', 2],
      ['direct', 0],
    ]);
    expect(ep.webAcl('behind-cdn').acl.Capacity ?? 0).toBeLessThanOrEqual(708);
  });

  it('blocks the right-most X-Forwarded-For address there, a direct request by its own address, and no one who only forges', async () => {
    await run([forwarded('ipb-cdn', ['198.51.100.7', '2001:db8:1:2::/64'], [arnOf('behind-cdn')])]);
    // Through the CDN: the edge is clientIp, the CDN appended the client last.
    expect(blockedBy('behind-cdn', EDGE, '10.0.0.1, 198.51.100.7')).toBe('waftune-ip-block-ipv4-fwd');
    expect(blockedBy('behind-cdn', EDGE, '2001:db8:1:2:aaaa::5')).toBe('waftune-ip-block-ipv6-fwd');
    // The attacker forging a left entry does not get someone else blocked, nor escape by it.
    expect(blockedBy('behind-cdn', EDGE, '198.51.100.7, 203.0.113.50')).toBeNull();
    expect(blockedBy('behind-cdn', EDGE)).toBeNull();
    expect(blockedBy('behind-cdn', EDGE, 'not-an-address')).toBeNull();
    // Straight to the ALB: the client-IP rule.
    expect(blockedBy('behind-cdn', '198.51.100.7')).toBe('waftune-ip-block-ipv4');
    // The web ACL not listed never looks at the header.
    expect(blockedBy('direct', EDGE, '198.51.100.7')).toBeNull();
    expect(blockedBy('direct', '2001:db8:1:2::99')).toBe('waftune-ip-block-ipv6');
  });

  it('re-applying is a no-op; a later block without forwarding adds addresses but no rules', async () => {
    await run([forwarded('ipb-cdn', ['198.51.100.7'], [arnOf('behind-cdn')])]);
    const updates = ep.operations('UpdateWebACL').length;
    const again = await run([forwarded('ipb-cdn', ['198.51.100.7'], [arnOf('behind-cdn')])]);
    expect(again.plan.acls.map((a) => a.status)).toEqual(['unchanged', 'unchanged']);
    expect(ep.operations('UpdateWebACL').length).toBe(updates);
    await run([ipBlock('ipb-direct', ['203.0.113.9'])]);
    expect(ep.operations('UpdateWebACL').length).toBe(updates);
    // The shared set: the forwarded rule now blocks that address through the CDN too (the same client).
    expect(blockedBy('behind-cdn', EDGE, '203.0.113.9')).toBe('waftune-ip-block-ipv4-fwd');
  });

  it('rollback takes both rules out and deletes the sets it created; expire empties what the rules match', async () => {
    const first = await run(
      [forwarded('ipb-cdn', ['198.51.100.7'], [arnOf('behind-cdn')])],
      new Date('2026-11-18T00:00:00Z'),
    );
    const plan = await planRollback(port, store, first.record);
    await executeRollback(port, store, plan, {
      actor,
      now: () => new Date('2026-11-19T00:00:00Z'),
      retry: FAST,
    });
    expect(ordered('behind-cdn').map((r) => r.Name)).toEqual([
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
    ]);
    expect(ep.ipSet('waftune-blocked-ipv4')).toBeUndefined();

    const day0 = new Date('2026-11-20T00:00:00Z');
    await run(
      [{ ...forwarded('ipb-cdn', ['198.51.100.7'], [arnOf('behind-cdn')]), expiresAfterDays: 1 }],
      day0,
    );
    expect(blockedBy('behind-cdn', EDGE, '198.51.100.7')).toBe('waftune-ip-block-ipv4-fwd');
    const later = new Date('2026-11-22T00:00:00Z');
    const expiry = await planExpiry(port, store, later);
    await executeExpiry(port, store, expiry, { actor, now: () => later, retry: FAST });
    expect(blockedBy('behind-cdn', EDGE, '198.51.100.7')).toBeNull();
    expect(blockedBy('behind-cdn', '198.51.100.7')).toBeNull();
  });

  it('prices an ANY position at 5 WCU, keeps other settings in their own rule, and tries a listed web ACL it cannot find', async () => {
    const tci = { headerName: 'True-Client-IP', position: 'ANY' as const };
    const any = forwarded('ipb-any', ['198.51.100.7'], [arnOf('behind-cdn')], tci);
    const gone =
      'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/gone/00000000-0000-4000-8000-000000000000';
    const { plan, record } = await run([
      any,
      forwarded('ipb-cdn', ['198.51.100.9'], [arnOf('behind-cdn'), gone]),
    ]);
    const tciName = forwardedRuleName({ version: 'IPV4', fallbackBehavior: 'NO_MATCH', ...tci });
    expect(tciName).toMatch(/^waftune-ip-block-ipv4-fwd-[0-9a-f]{8}$/);
    expect(ordered('behind-cdn').map((r) => r.Name)).toEqual([
      'waftune-ip-block-ipv4',
      tciName,
      'waftune-ip-block-ipv4-fwd',
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
    ]);
    const acl = plan.acls.find((a) => a.ref.name === 'behind-cdn');
    // 704 + client rule 1 + ANY 5 + LAST 1
    expect(acl?.wcuAfter).toBe(711);
    expect(renderPlan(plan, PLAIN)).toContain(
      'True-Client-IP (any of the last 10 addresses; no match without a valid one), X-Forwarded-For (last address',
    );
    // Like any web ACL a suggestion names by ARN: tried, and reported when it is not there.
    expect(plan.acls.map((a) => [a.ref.name, a.status])).toEqual([
      ['behind-cdn', 'change'],
      ['direct', 'change'],
      ['gone', 'failed'],
    ]);
    expect(record.entries.find((e) => e.target.name === 'gone')?.status).toBe('failed');
  });
});
