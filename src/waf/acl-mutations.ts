import { firewallManagerGroups } from './firewall-manager.js';
import {
  ensureForwardedIpBlockRule,
  forwardedRuleName,
  forwardedRuleWcu,
  forwardedSettingsOf,
} from './forwarded-ip.js';
import { ensureIpBlockRule } from './ip-block.js';
import type { AclContext, Mutation } from './mutation.js';
import { ipSetName } from './names.js';
import { overrideMutation } from './override.js';
import type { IpVersion, Rule, WafLocation, WebAcl } from './types.js';
import type { AclWork } from './work.js';

/** Stands in for the ARN of an IP set `apply` will create (like Terraform's "known after apply"). */
export const PENDING = '(known after apply)';

export function pendingIpSetArn(location: WafLocation, version: IpVersion): string {
  const scope = location.scope === 'CLOUDFRONT' ? 'global' : 'regional';
  return `arn:aws:wafv2:${location.region}:${location.account ?? PENDING}:${scope}/ipset/${ipSetName(version)}/${PENDING}`;
}

export function isPendingRule(rule: Rule): boolean {
  return rule.Statement.IPSetReferenceStatement?.ARN.includes(PENDING) ?? false;
}

/** What a rule referencing an IP set apply will create costs (WAF cannot price it yet). */
export function pendingRuleWcu(rule: Rule): number {
  const forwarded = forwardedSettingsOf(rule.Statement);
  return forwarded ? forwardedRuleWcu(forwarded) : 1;
}

/** The IP set each IP version's block rule references, or why there is none. */
export type IpSetTargets = Map<IpVersion, { arn: string } | { refused: string }>;

/**
 * IP block rules first (they go to the top): by client address, then by forwarded address where a
 * CDN is in front; then the overrides in suggestion order.
 */
export function aclMutations(work: AclWork, ipSets: IpSetTargets): Mutation[] {
  const mutations: Mutation[] = [];
  for (const version of work.ipVersions) {
    const target = ipSets.get(version);
    mutations.push({
      // The rule serves every ip-block suggestion at once: it is named after the set it blocks.
      suggestionId: ipSetName(version),
      title: `block the addresses in ${ipSetName(version)}`,
      apply: (rules) => {
        if (!target) return { status: 'refused', reason: `no ${ipSetName(version)} IP set` };
        if ('refused' in target) return { status: 'refused', reason: target.refused };
        return ensureIpBlockRule(rules, version, target.arn);
      },
    });
  }
  for (const rule of work.forwardedIp) {
    const target = ipSets.get(rule.version);
    const name = forwardedRuleName(rule);
    mutations.push({
      suggestionId: name,
      title: `block the addresses in ${ipSetName(rule.version)} by ${rule.headerName} (${rule.position.toLowerCase()})`,
      apply: (rules) => {
        if (!target) return { status: 'refused', reason: `no ${ipSetName(rule.version)} IP set` };
        if ('refused' in target) return { status: 'refused', reason: target.refused };
        return ensureForwardedIpBlockRule(rules, rule, target.arn);
      },
    });
  }
  for (const spec of work.overrides) mutations.push(overrideMutation(spec));
  return mutations;
}

/** What the mutations may see of the web ACL besides its rules. */
export function aclContext(acl: WebAcl): AclContext {
  const firewallManager = firewallManagerGroups(acl);
  return { webAclName: acl.Name, ...(firewallManager ? { firewallManager } : {}) };
}
