import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileAuditStore } from '../../adapters/audit-store-fs.js';
import type { Wafv2Port } from '../../adapters/wafv2.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { applyWork } from '../../src/waf/apply.js';
import { planWork, workToApply } from '../../src/waf/plan.js';
import { PLAIN, planJson, renderPlan } from '../../src/waf/render.js';
import type { Rule, WebAcl } from '../../src/waf/types.js';
import { prepareWork } from '../../src/waf/work.js';
import { type LocalWaf, startLocalWaf } from '../support/local-waf-port.js';
import { type LocalWafv2, rateRule } from '../support/wafv2-local-endpoint.js';
import { ipBlock, LABEL, override } from './suggestions.js';

/**
 * Web ACLs that Firewall Manager manages: the policy's rule groups run before and after the
 * account's own rules, and only the account's rules are the account's to write. The override of
 * a rule in a policy group is printed for the policy (ManagedServiceData), never written; the
 * label rule and the IP block rule go where the account may put them.
 */

const POLICY = 'wordpress-baseline';
const ACL = `FMManagedWebACLV2-${POLICY}-1732000000000`;

function fmsGroup(name: string, priority: number, extra: Record<string, unknown> = {}) {
  return {
    Name: `FMManaged-${name}`,
    Priority: priority,
    FirewallManagerStatement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name, ...extra } },
    OverrideAction: { None: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
  };
}

let waf: LocalWaf;
let ep: LocalWafv2;
let port: Wafv2Port;
let store: FileAuditStore;

beforeEach(async () => {
  waf = await startLocalWaf('fms');
  ({ ep, port, store } = waf);
});

afterEach(() => waf.close());

async function plan(suggestions: Suggestion[]) {
  const work = await prepareWork(port, suggestions, { region: 'eu-west-1', now: new Date() });
  return planWork(port, work);
}

/** Every write the endpoint received, and whether any carried what Firewall Manager owns. */
function writesTouchingFirewallManager(): string[] {
  return ep.requests
    .filter(
      (r) =>
        r.operation.startsWith('Update') ||
        r.operation.startsWith('Create') ||
        r.operation.startsWith('Delete'),
    )
    .filter((r) => {
      const text = JSON.stringify(r.body);
      return (
        /FirewallManager/.test(text) ||
        text.includes('FMManaged-') ||
        text.includes('ManagedRuleGroupStatement') ||
        r.operation.includes('RuleGroup') ||
        r.operation.includes('Policy')
      );
    })
    .map((r) => r.operation);
}

describe('a web ACL managed by Firewall Manager', () => {
  it('plans the override for the policy and applies only the label rule and the IP block rule, at the top of the account rules', async () => {
    const seeded = ep.seedWebAcl({
      name: ACL,
      rules: [rateRule('rate-login', 2)],
      firewallManager: {
        pre: [
          fmsGroup('AWSManagedRulesCommonRuleSet', 1, {
            RuleActionOverrides: [{ Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } }],
          }),
        ],
        post: [fmsGroup('AWSManagedRulesAmazonIpReputationList', 9000)],
      },
    });
    const suggestions = [override('ov-1', [seeded.acl.ARN]), ipBlock('ip-1', ['198.51.100.7'])];
    const p = await plan(suggestions);
    const acl = p.acls[0];
    expect(acl?.status).toBe('change');
    const change = acl?.outcomes.find((o) => o.suggestionId === 'ov-1')?.policyChange;
    expect(change).toMatchObject({
      stage: 'pre',
      policy: POLICY,
      key: 'preProcessRuleGroups',
      ruleGroupName: 'FMManaged-AWSManagedRulesCommonRuleSet',
      labelRule: 'account',
    });
    // The entry as it should read in the policy's ManagedServiceData (FMS's lower camel case),
    // the policy's existing override kept.
    expect(change?.entry).toEqual({
      managedRuleGroupIdentifier: {
        vendorName: 'AWS',
        managedRuleGroupName: 'AWSManagedRulesCommonRuleSet',
        version: null,
        versionEnabled: null,
      },
      ruleGroupArn: null,
      ruleGroupType: 'ManagedRuleGroup',
      overrideAction: { type: 'NONE' },
      excludeRules: [],
      ruleActionOverrides: [
        { name: 'NoUserAgent_HEADER', actionToUse: { count: {} } },
        { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
      ],
    });
    // The account's rules: the IP block first, the label rule right after it, the account's own after.
    expect((acl?.afterRules ?? []).map((r: Rule) => `${r.Priority}:${r.Name}`)).toEqual([
      '1:waftune-ip-block-ipv4',
      '2:waftune-override-SizeRestrictions_BODY',
      '3:rate-login',
    ]);
    const text = renderPlan(p, PLAIN);
    expect(text).toContain(
      "Firewall Manager: SizeRestrictions_BODY is in the policy's rule group FMManaged-AWSManagedRulesCommonRuleSet (run before this account's rules); count it in the policy wordpress-baseline",
    );
    expect(text).toContain(
      `~ policy ${POLICY}: in ManagedServiceData.preProcessRuleGroups, the entry for AWS#AWSManagedRulesCommonRuleSet`,
    );
    expect(text).toContain('"name": "SizeRestrictions_BODY"');
    expect(text).toContain('Apply it first: it does nothing while the policy still blocks the rule');
    expect((planJson(p) as { firewallManager: unknown[] }).firewallManager).toHaveLength(1);

    const { record } = await applyWork(port, store, workToApply(p), {
      actor: { user: 't' },
      now: () => new Date(),
    });
    expect(record.summary?.status).toBe('done');
    const after = ep.webAcl(ACL).acl as unknown as WebAcl;
    // What Firewall Manager owns is exactly as it was, and no write ever carried it.
    expect(after.PreProcessFirewallManagerRuleGroups).toEqual(seeded.acl.PreProcessFirewallManagerRuleGroups);
    expect(after.PostProcessFirewallManagerRuleGroups).toEqual(
      seeded.acl.PostProcessFirewallManagerRuleGroups,
    );
    expect(after.ManagedByFirewallManager).toBe(true);
    expect(writesTouchingFirewallManager()).toEqual([]);
    expect(ep.operations('UpdateWebACL')).toHaveLength(1);
    expect(JSON.stringify(after.Rules)).toContain(Buffer.from('/wp-admin/').toString('base64'));
    // the change history keeps what the policy still needs
    const entry = (await store.get(record.header.id))?.entries.find((e) => e.target.type === 'web-acl');
    expect(entry?.outcomes?.find((o) => o.suggestionId === 'ov-1')?.policyChange?.policy).toBe(POLICY);

    // Planned again: nothing left for the account, the policy change still due.
    const again = await plan([override('ov-1', [seeded.acl.ARN])]);
    expect(again.acls[0]?.status).toBe('unchanged');
    expect(again.acls[0]?.outcomes[0]?.policyChange?.policy).toBe(POLICY);
  });

  it('a rule in a post-process group: the label rule cannot run after it from the account, so all of it goes to the policy', async () => {
    const seeded = ep.seedWebAcl({
      name: ACL,
      rules: [rateRule('rate-login', 2)],
      firewallManager: { post: [fmsGroup('AWSManagedRulesCommonRuleSet', 9000)] },
    });
    const p = await plan([override('ov-1', [seeded.acl.ARN])]);
    expect(p.acls[0]?.status).toBe('unchanged');
    const change = p.acls[0]?.outcomes[0]?.policyChange;
    expect(change).toMatchObject({ stage: 'post', key: 'postProcessRuleGroups', labelRule: 'policy' });
    expect(JSON.stringify(change?.policyRule)).toContain(LABEL);
    const text = renderPlan(p, PLAIN);
    expect(text).toContain(
      'in the same policy update, add a rule group to postProcessRuleGroups after it, with this rule:',
    );
    expect(text).toContain('"Name": "waftune-override-SizeRestrictions_BODY"');
    const { record } = await applyWork(port, store, workToApply(p), {
      actor: { user: 't' },
      now: () => new Date(),
    });
    expect(record.entries).toEqual([]);
    expect(ep.operations('UpdateWebACL')).toEqual([]);
  });

  it('once the policy counts the rule, only the label rule is left, and no policy change is printed', async () => {
    const seeded = ep.seedWebAcl({
      name: ACL,
      rules: [],
      firewallManager: {
        pre: [
          fmsGroup('AWSManagedRulesCommonRuleSet', 1, {
            RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
          }),
        ],
      },
    });
    // The policy already counts it everywhere, as for the account's own groups: left alone.
    const first = await plan([
      override('ov-0', [seeded.acl.ARN], { paths: [{ match: 'EXACTLY', value: '/xmlrpc.php' }] }),
    ]);
    expect(first.acls[0]?.status).toBe('unchanged');
    expect(first.acls[0]?.reason).toContain('already counts everywhere in the Firewall Manager rule group');
    expect(renderPlan(first, PLAIN)).not.toContain('Firewall Manager policy changes');
  });

  it("the local endpoint refuses an account rule that takes a Firewall Manager rule group's name", async () => {
    const seeded = ep.seedWebAcl({
      name: ACL,
      rules: [],
      firewallManager: { pre: [fmsGroup('AWSManagedRulesCommonRuleSet', 1)] },
    });
    const { acl, lockToken } = await port.getWebAcl({
      ...seeded.acl,
      name: ACL,
      id: seeded.acl.Id,
      arn: seeded.acl.ARN,
      scope: 'REGIONAL',
      region: 'eu-west-1',
    });
    const ref = { name: ACL, id: acl.Id, arn: acl.ARN, scope: 'REGIONAL' as const, region: 'eu-west-1' };
    const clash = { ...rateRule('FMManaged-AWSManagedRulesCommonRuleSet', 5) } as unknown as Rule;
    await expect(port.updateWebAcl(ref, { ...acl, Rules: [clash] }, lockToken)).rejects.toThrow(
      /only Firewall Manager changes it/,
    );
    expect(ep.rejected.map((r) => r.errors.join())).toEqual([
      'Rules[0] (FMManaged-AWSManagedRulesCommonRuleSet): the name of a Firewall Manager rule group',
    ]);
    ep.rejected.length = 0;
    // UpdateWebACL has no member for what Firewall Manager owns: the model itself refuses them.
    const body = {
      Name: ACL,
      Scope: 'REGIONAL',
      Id: acl.Id,
      DefaultAction: { Allow: {} },
      VisibilityConfig: acl.VisibilityConfig,
      LockToken: lockToken,
    };
    expect(ep.validator.validateInput('UpdateWebACL', body)).toEqual([]);
    for (const member of [
      'PreProcessFirewallManagerRuleGroups',
      'PostProcessFirewallManagerRuleGroups',
      'ManagedByFirewallManager',
    ])
      expect(ep.validator.validateInput('UpdateWebACL', { ...body, [member]: [] }).join()).toContain(
        `UpdateWebACLRequest has no member ${member}`,
      );
    expect(ep.webAcl(ACL).acl.PreProcessFirewallManagerRuleGroups).toEqual(
      seeded.acl.PreProcessFirewallManagerRuleGroups,
    );
  });
});
