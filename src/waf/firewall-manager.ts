import { namesRuleGroup } from './rule-group-names.js';
import type {
  ManagedRuleGroupStatement,
  RuleAction,
  RuleBody,
  RuleGroupReferenceStatement,
  VisibilityConfig,
  WebAcl,
} from './types.js';

/**
 * Web ACLs managed by AWS Firewall Manager (DESIGN §5). A Firewall Manager WAF policy puts rule
 * groups first (`PreProcessFirewallManagerRuleGroups`) and last
 * (`PostProcessFirewallManagerRuleGroups`); the account's own `Rules` run between them, and only
 * those may the account change. So a rule to count that sits in a policy's rule group is the
 * policy's to change, in its `ManagedServiceData` (the FMS API's JSON, lower camel case):
 *
 *   preProcessRuleGroups[].{managedRuleGroupIdentifier|ruleGroupArn, overrideAction, ruleActionOverrides}
 *
 * and what the account may do is the label rule, where it still runs after the group: the
 * account's rules run after every pre-process group, so the rule goes at the top of them; a
 * post-process group runs after the account's rules, so its label rule must be in the policy too.
 */

export interface FirewallManagerRuleGroup {
  Name: string;
  Priority: number;
  FirewallManagerStatement: {
    ManagedRuleGroupStatement?: ManagedRuleGroupStatement;
    RuleGroupReferenceStatement?: RuleGroupReferenceStatement;
  };
  OverrideAction: { Count?: Record<string, never>; None?: Record<string, never> };
  VisibilityConfig: VisibilityConfig;
}

export interface FirewallManagerGroups {
  pre: FirewallManagerRuleGroup[];
  post: FirewallManagerRuleGroup[];
}

export type Stage = 'pre' | 'post';

/** The Firewall Manager part of a web ACL as read, when it has one. */
export function firewallManagerGroups(acl: WebAcl): FirewallManagerGroups | undefined {
  const pre = (acl.PreProcessFirewallManagerRuleGroups as FirewallManagerRuleGroup[] | undefined) ?? [];
  const post = (acl.PostProcessFirewallManagerRuleGroups as FirewallManagerRuleGroup[] | undefined) ?? [];
  if (!acl.ManagedByFirewallManager && !pre.length && !post.length) return undefined;
  return { pre, post };
}

export interface FirewallManagerMatch {
  stage: Stage;
  group: FirewallManagerRuleGroup;
  managed?: ManagedRuleGroupStatement;
  reference?: RuleGroupReferenceStatement;
}

/** The policy's rule group a suggestion names, matched as `findRuleGroup` matches the account's. */
export function findFirewallManagerGroup(
  groups: FirewallManagerGroups,
  ruleGroup: string,
): FirewallManagerMatch[] {
  const found: FirewallManagerMatch[] = [];
  for (const [stage, list] of [
    ['pre', groups.pre],
    ['post', groups.post],
  ] as const) {
    for (const group of [...list].sort((a, b) => a.Priority - b.Priority)) {
      const managed = group.FirewallManagerStatement.ManagedRuleGroupStatement;
      const reference = group.FirewallManagerStatement.RuleGroupReferenceStatement;
      const statement = { ...(managed ? { managed } : {}), ...(reference ? { reference } : {}) };
      if (namesRuleGroup(ruleGroup, group.Name, statement)) found.push({ stage, group, ...statement });
    }
  }
  return found;
}

/** Firewall Manager names the web ACLs it creates `FMManagedWebACLV2-<policy name>-<epoch ms>`. */
export function policyNameOf(webAclName: string): string | null {
  return /^FMManagedWebACLV2-(.+)-\d{13}$/.exec(webAclName)?.[1] ?? null;
}

/** A WAFv2 rule action in ManagedServiceData's spelling: `{Count: {}}` -> `{count: {}}`. */
function actionToUse(action: RuleAction): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(action).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v ?? {}]),
  );
}

/**
 * The `preProcessRuleGroups` / `postProcessRuleGroups` entry for this group as it should read
 * with `ruleId` counted: the group's settings as the web ACL shows them (they mirror the policy)
 * and the override added.
 */
export function managedServiceDataEntry(
  match: FirewallManagerMatch,
  ruleId: string,
): Record<string, unknown> {
  const statement = match.managed ?? match.reference;
  const overrides = [
    ...(statement?.RuleActionOverrides ?? []).filter((o) => o.Name !== ruleId),
    { Name: ruleId, ActionToUse: { Count: {} } },
  ].map((o) => ({ name: o.Name, actionToUse: actionToUse(o.ActionToUse) }));
  const excludeRules = (statement?.ExcludedRules ?? []).map((e) => ({ name: e.Name }));
  const overrideAction = { type: match.group.OverrideAction.Count ? 'COUNT' : 'NONE' };
  if (match.managed) {
    return {
      managedRuleGroupIdentifier: {
        vendorName: match.managed.VendorName,
        managedRuleGroupName: match.managed.Name,
        version: match.managed.Version ?? null,
        versionEnabled: match.managed.Version ? true : null,
      },
      ruleGroupArn: null,
      ruleGroupType: 'ManagedRuleGroup',
      overrideAction,
      excludeRules,
      ruleActionOverrides: overrides,
    };
  }
  return {
    managedRuleGroupIdentifier: null,
    ruleGroupArn: match.reference?.ARN ?? null,
    ruleGroupType: 'RuleGroup',
    overrideAction,
    excludeRules,
    ruleActionOverrides: overrides,
  };
}

/** What the Firewall Manager policy must change for a rule-override, and where its label rule goes. */
export interface PolicyChange {
  stage: Stage;
  /** The policy's name when the web ACL's name says it, else null (find it by the web ACL's ARN in FMS). */
  policy: string | null;
  /** The rule group's name in the web ACL (`PreProcessFirewallManagerRuleGroups[].Name`). */
  ruleGroupName: string;
  ruleGroup: string;
  ruleId: string;
  /** The ManagedServiceData key whose entry changes. */
  key: 'preProcessRuleGroups' | 'postProcessRuleGroups';
  entry: Record<string, unknown>;
  /** The label rule: in the account's own rules (pre), or in a rule group the policy runs after this one (post). */
  labelRule: 'account' | 'policy';
  /** For `labelRule: 'policy'`: the rule that group needs. */
  policyRule?: RuleBody;
}

export function policyChange(
  webAclName: string,
  match: FirewallManagerMatch,
  ruleGroup: string,
  ruleId: string,
  labelRule: RuleBody | undefined,
): PolicyChange {
  return {
    stage: match.stage,
    policy: policyNameOf(webAclName),
    ruleGroupName: match.group.Name,
    ruleGroup,
    ruleId,
    key: match.stage === 'pre' ? 'preProcessRuleGroups' : 'postProcessRuleGroups',
    entry: managedServiceDataEntry(match, ruleId),
    labelRule: match.stage === 'pre' ? 'account' : 'policy',
    ...(match.stage === 'post' && labelRule ? { policyRule: labelRule } : {}),
  };
}

/** One change to make in one Firewall Manager policy: every suggestion and web ACL that needs it. */
export interface PolicyChangeSummary {
  policy: string | null;
  key: PolicyChange['key'];
  ruleGroupName: string;
  ruleGroup: string;
  /** The ManagedServiceData entry as it should read, with every rule these suggestions count. */
  entry: Record<string, unknown>;
  ruleIds: string[];
  suggestionIds: string[];
  webAcls: { name: string; arn: string }[];
  labelRule: PolicyChange['labelRule'];
  /** For a post-process group: the label rules the policy needs in a rule group after it. */
  policyRules: RuleBody[];
}

export function summarizePolicyChanges(
  items: ReadonlyArray<{ webAcl: { name: string; arn: string }; suggestionId: string; change: PolicyChange }>,
): PolicyChangeSummary[] {
  const byKey = new Map<string, PolicyChangeSummary>();
  for (const { webAcl, suggestionId, change } of items) {
    const key = JSON.stringify([change.policy ?? webAcl.arn, change.key, change.ruleGroupName]);
    let summary = byKey.get(key);
    if (!summary) {
      summary = {
        policy: change.policy,
        key: change.key,
        ruleGroupName: change.ruleGroupName,
        ruleGroup: change.ruleGroup,
        entry: structuredClone(change.entry),
        ruleIds: [],
        suggestionIds: [],
        webAcls: [],
        labelRule: change.labelRule,
        policyRules: [],
      };
      byKey.set(key, summary);
    }
    const overrides = summary.entry.ruleActionOverrides as { name: string }[];
    for (const o of change.entry.ruleActionOverrides as { name: string }[]) {
      if (!overrides.some((x) => x.name === o.name)) overrides.push(o);
    }
    if (!summary.ruleIds.includes(change.ruleId)) summary.ruleIds.push(change.ruleId);
    if (!summary.suggestionIds.includes(suggestionId)) summary.suggestionIds.push(suggestionId);
    if (!summary.webAcls.some((w) => w.arn === webAcl.arn)) summary.webAcls.push(webAcl);
    if (change.policyRule && !summary.policyRules.some((r) => r.Name === change.policyRule?.Name))
      summary.policyRules.push(change.policyRule);
  }
  return [...byKey.values()];
}
