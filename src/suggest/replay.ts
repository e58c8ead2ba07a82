import type { RuleOverride, Scope } from '../../schemas/suggestion.js';
import { type FinalGroup, ipFactsFrom } from '../analyze/fleet.js';
import type { IpProfileRow } from '../analyze/query-rows.js';
import { doesAdminWork } from '../classify/signals/ip-admin-work.js';
import { eventRequest, scopeMatches } from './scope.js';

/**
 * Addresses with attack evidence anywhere in the window, less those whose allowed admin work
 * outweighs it (an agency office's odd requests are still the agency's).
 */
export function attackSourceSet(
  groups: readonly FinalGroup[],
  ips: ReadonlyMap<string, IpProfileRow>,
): Set<string> {
  const out = new Set<string>();
  for (const g of groups) {
    if (g.final.verdict !== 'likely-attack' || out.has(g.client_ip)) continue;
    const profile = ips.get(g.client_ip);
    if (!profile || !doesAdminWork(ipFactsFrom(profile))) out.add(g.client_ip);
  }
  return out;
}

/**
 * Replays the window through an override: the requests it would have let through (those that
 * `ruleId` stopped, inside the scope, on the web ACLs concerned), how many came from attack
 * sources, and how many of those the IP blocks would still stop.
 */
export function replayOverride(
  target: { ruleGroup: string; ruleId: string; scope: Scope; webAcls: readonly string[] },
  groups: readonly FinalGroup[],
  attackSources: ReadonlySet<string>,
  ipBlocked: ReadonlySet<string>,
): RuleOverride['impact'] {
  const acls = new Set(target.webAcls);
  let wouldAllow = 0;
  let wouldAllowFromAttackers = 0;
  let stillBlockedByIpBlocks = 0;
  for (const g of groups) {
    if (g.rule_action === 'COUNT' || g.rule_group !== target.ruleGroup || g.rule_id !== target.ruleId)
      continue;
    // A header condition the logs cannot decide counts as met: the estimate never leans on a
    // condition it cannot check (a redacted Cookie without the evidence label, a header not logged).
    if (!acls.has(g.web_acl_arn) || !scopeMatches(target.scope, eventRequest(g), 'met')) continue;
    wouldAllow += g.requests;
    if (attackSources.has(g.client_ip)) {
      wouldAllowFromAttackers += g.requests;
      if (ipBlocked.has(g.client_ip)) stillBlockedByIpBlocks += g.requests;
    }
  }
  return { wouldAllow, wouldAllowFromAttackers, stillBlockedByIpBlocks };
}
