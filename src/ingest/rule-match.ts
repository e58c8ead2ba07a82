import type { MatchDetail, RuleMatch, WafLogRecord } from '../../schemas/waf-log.js';

export interface RuleHit {
  /** What the matched rule did: BLOCK, CAPTCHA, CHALLENGE, COUNT, ... */
  action: string;
  aclRule: string | null;
  group: string | null;
  ruleId: string;
  details: readonly MatchDetail[];
}

/**
 * Finds the rule match that explains the request, from the three places WAF puts one
 * (DESIGN §3): the top-level terminating rule, a group's terminating rule, or — when nothing
 * terminated — the first rule that only counted (top level or inside a group).
 */
export function findRuleHit(record: WafLogRecord): RuleHit | null {
  const groups = record.ruleGroupList ?? [];
  if (record.terminatingRuleId && record.terminatingRuleId !== 'Default_Action') {
    const groupHit = groups.find((g) => g.terminatingRule);
    const topDetails = record.terminatingRuleMatchDetails ?? [];
    if (groupHit?.terminatingRule) {
      const rule = groupHit.terminatingRule;
      return {
        action: record.action,
        aclRule: record.terminatingRuleId,
        group: groupHit.ruleGroupId,
        ruleId: rule.ruleId,
        details: topDetails.length > 0 ? topDetails : (rule.ruleMatchDetails ?? []),
      };
    }
    return {
      action: record.action,
      aclRule: record.terminatingRuleId,
      group: null,
      ruleId: record.terminatingRuleId,
      details: topDetails,
    };
  }
  for (const g of groups) {
    const counted = (g.nonTerminatingMatchingRules ?? []).find(isCount);
    if (counted) return countHit(g.ruleGroupId, counted);
  }
  const topCounted = (record.nonTerminatingMatchingRules ?? []).find(isCount);
  return topCounted ? countHit(null, topCounted) : null;
}

/** Every rule that only counted, as `group:rule` (or `rule` for a web ACL's own rule). */
export function countedRules(record: WafLogRecord): string[] {
  const out: string[] = [];
  for (const g of record.ruleGroupList ?? []) {
    for (const r of g.nonTerminatingMatchingRules ?? []) out.push(`${g.ruleGroupId}:${r.ruleId}`);
  }
  for (const r of record.nonTerminatingMatchingRules ?? []) out.push(r.ruleId);
  return out;
}

const isCount = (r: RuleMatch) => r.action.toUpperCase() === 'COUNT';

function countHit(group: string | null, rule: RuleMatch): RuleHit {
  return { action: 'COUNT', aclRule: null, group, ruleId: rule.ruleId, details: rule.ruleMatchDetails ?? [] };
}
