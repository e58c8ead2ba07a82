import type { AccountLine } from '../../schemas/report.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { parseWebAclArn } from '../ingest/web-acl-arn.js';
import type { FinalGroup } from './fleet.js';

/**
 * The report cut by AWS account. A central log bucket that several accounts deliver to is one
 * fleet to analyse (sites and attackers cross accounts), but each client wants its own figures:
 * every web ACL ARN names its account, so one line per account costs nothing.
 */

function accountOf(arn: string): string {
  return parseWebAclArn(arn).accountId || '(unknown)';
}

export function accountLines(
  groups: readonly FinalGroup[],
  suggestions: readonly Suggestion[],
): AccountLine[] {
  const by = new Map<
    string,
    { acls: Set<string>; hosts: Set<string>; blocked: number; fp: number; attack: number }
  >();
  for (const g of groups) {
    const account = accountOf(g.web_acl_arn);
    let a = by.get(account);
    if (!a) {
      a = { acls: new Set(), hosts: new Set(), blocked: 0, fp: 0, attack: 0 };
      by.set(account, a);
    }
    a.acls.add(g.web_acl_arn);
    a.hosts.add(g.host);
    if (g.rule_action !== 'BLOCK') continue;
    a.blocked += g.requests;
    if (g.final.verdict === 'likely-false-positive') a.fp += g.requests;
    if (g.final.verdict === 'likely-attack') a.attack += g.requests;
  }
  return [...by.entries()]
    .map(([account, a]) => ({
      account,
      name: null,
      webAcls: a.acls.size,
      sites: a.hosts.size,
      blocked: a.blocked,
      likelyFalsePositives: a.fp,
      likelyAttacks: a.attack,
      suggestions: suggestions.filter((s) => suggestionAccounts(s).has(account)).length,
    }))
    .sort((x, y) => y.blocked - x.blocked || x.account.localeCompare(y.account));
}

/** The accounts a suggestion touches: its web ACLs' (an IP block: where the address was seen). */
export function suggestionAccounts(s: Suggestion): Set<string> {
  const arns = s.kind === 'rule-override' ? s.webAcls : s.evidence.webAcls;
  return new Set(arns.map(accountOf));
}
