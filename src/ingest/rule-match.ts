import type { MatchDetail, RuleGroupEntry, RuleMatch, WafLogRecord } from '../../schemas/waf-log.js';
import { EVIDENCE_RULE_PREFIX } from '../../schemas/waftune-labels.js';
import { lowerAscii, upperAscii } from '../classify/fold.js';

export interface RuleHit {
  /** What the matched rule did: BLOCK, CAPTCHA, CHALLENGE, COUNT, ... */
  action: string;
  /** The web ACL rule that holds the match, when the record says which one it is. */
  aclRule: string | null;
  group: string | null;
  ruleId: string;
  details: readonly MatchDetail[];
}

/** A rule that only counted: inside a rule group, or (group null) one of the web ACL's own rules. */
export interface CountedRule {
  group: string | null;
  ruleId: string;
  /** The web ACL rule of a group run in Count mode, when the record names it. */
  aclRule: string | null;
  details: readonly MatchDetail[];
  /**
   * It would have acted had it not been set to count: a group in Count mode, an excluded rule, a
   * rule action overridden to Count. Such a match explains a request better than a rule that only
   * ever counts (a label rule, the IP DDoS list).
   */
  overridden: boolean;
}

export interface RuleAttribution {
  /** The match that explains the request: the terminating rule, else the most telling count. */
  hit: RuleHit | null;
  /** Every rule that only counted, in evaluation order. */
  counted: CountedRule[];
}

/**
 * Attributes a record's matches to rules, from every place WAF puts one (DESIGN §3): the top-level
 * terminating rule; a group's `terminatingRule`, which is the terminating match only for the group
 * whose web ACL rule is `terminatingRuleId` and a Count-mode match for every other group;
 * `nonTerminatingMatchingRules` (per group and top level); and `excludedRules` (EXCLUDED_AS_COUNT).
 *
 * A rule group run in Count mode (the web ACL rule's `OverrideAction: Count`) shows as a group
 * whose `terminatingRule` matched although the request went on, plus a top-level COUNT entry that
 * names the group's web ACL rule. That entry is the group, not a rule of its own: it is paired
 * with its group and reported as the rule inside the group that matched.
 *
 * The log never says which web ACL rule holds which group, so the pairing and the terminating
 * group are decided from what the record shows, in this order:
 *  1. by name: an ACL rule name that is the group's name, or `<vendor>-<name>` as the console names
 *     managed groups (`AWS-AWSManagedRulesSQLiRuleSet` for `AWS#AWSManagedRulesSQLiRuleSet`; a rule
 *     group ARN carries its name in `.../rulegroup/<name>/<id>`), ignoring case;
 *  2. `terminatingRuleType`: REGULAR and RATE_BASED mean no group terminated, so every group with
 *     a `terminatingRule` ran in Count mode;
 *  3. elimination: a group that no top-level COUNT entry accounts for is the terminating one;
 *  4. evaluation order: ruleGroupList lists groups as they were evaluated and nothing is evaluated
 *     after the terminating rule, so when several groups are left it is the last of them;
 *  and a Count-mode group's ACL rule entry is found by name, then by equal match details, then,
 *  when the unclaimed entries are exactly as many as the unclaimed Count-mode groups, in order.
 *  An entry that stays unclaimed is kept as a web ACL rule that counted: nothing is dropped on a
 *  guess.
 */
export function attributeRules(record: WafLogRecord): RuleAttribution {
  const groups = record.ruleGroupList ?? NONE;
  const top = record.nonTerminatingMatchingRules ?? NONE;
  let tripped: number[] | null = null;
  for (let i = 0; i < groups.length; i++) {
    if (!groups[i]?.terminatingRule) continue;
    tripped ??= [];
    tripped.push(i);
  }
  // Most records have no group that tripped: nothing to pair.
  const pairing = tripped ? pairGroups(record, groups, top, tripped) : null;
  const terminating = pairing?.terminating ?? null;

  const counted: CountedRule[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as RuleGroupEntry;
    for (const r of g.nonTerminatingMatchingRules ?? NONE) {
      if (isCount(r)) counted.push(countedIn(g.ruleGroupId, r.ruleId, r.ruleMatchDetails, isOverridden(r)));
    }
    for (const x of g.excludedRules ?? NONE) {
      if (!x.ruleId) continue;
      const type = x.exclusionType == null ? undefined : upperAscii(x.exclusionType);
      if (type === undefined || type === 'EXCLUDED_AS_COUNT')
        counted.push(countedIn(g.ruleGroupId, x.ruleId, x.ruleMatchDetails, true));
    }
    // Inside a group the counting rules run before the one that ends the group's evaluation.
    const rule = g.terminatingRule;
    if (rule && i !== terminating) {
      const t = pairing?.aclRuleOf.get(i);
      const entry = t === undefined ? undefined : top[t];
      counted.push({
        group: g.ruleGroupId,
        ruleId: rule.ruleId,
        aclRule: entry?.ruleId ?? null,
        details: nonEmpty(rule.ruleMatchDetails) ?? entry?.ruleMatchDetails ?? NONE,
        overridden: true,
      });
    }
  }
  for (let t = 0; t < top.length; t++) {
    const r = top[t] as RuleMatch;
    if (!isCount(r) || pairing?.claimed.has(t)) continue;
    counted.push({
      group: null,
      ruleId: r.ruleId,
      aclRule: null,
      details: r.ruleMatchDetails ?? NONE,
      overridden: isOverridden(r),
    });
  }

  return { hit: terminatingHit(record, groups, terminating) ?? countHit(counted), counted };
}

const NONE: readonly never[] = [];

interface Pairing {
  terminating: number | null;
  /** Group index -> index of its web ACL rule's COUNT entry in the top-level list. */
  aclRuleOf: Map<number, number>;
  /** Top-level entries that are a Count-mode group's web ACL rule, not rules of their own. */
  claimed: Set<number>;
}

function pairGroups(
  record: WafLogRecord,
  groups: readonly RuleGroupEntry[],
  top: readonly RuleMatch[],
  tripped: readonly number[],
): Pairing {
  const topCounts: number[] = [];
  for (let t = 0; t < top.length; t++) if (isCount(top[t] as RuleMatch)) topCounts.push(t);
  const aclRuleOf = new Map<number, number>();
  const claimed = new Set<number>();
  const pair = (g: number, t: number) => {
    aclRuleOf.set(g, t);
    claimed.add(t);
  };
  for (const g of tripped) {
    const id = (groups[g] as RuleGroupEntry).ruleGroupId;
    const t = topCounts.find((t) => !claimed.has(t) && namesGroup((top[t] as RuleMatch).ruleId, id));
    if (t !== undefined) pair(g, t);
  }
  const terminating = terminatingGroup(record, groups, tripped, aclRuleOf);
  if (terminating !== null) {
    // The group that terminated has no COUNT entry of its own: whatever its name matched stays.
    const t = aclRuleOf.get(terminating);
    if (t !== undefined) claimed.delete(t);
    aclRuleOf.delete(terminating);
  }
  const open = () => tripped.filter((g) => g !== terminating && !aclRuleOf.has(g));
  // WAF copies the group's match details onto the entry of its web ACL rule.
  for (const g of open()) {
    const details = nonEmpty((groups[g] as RuleGroupEntry).terminatingRule?.ruleMatchDetails);
    if (!details) continue;
    const key = JSON.stringify(details);
    const t = topCounts.find(
      (t) => !claimed.has(t) && JSON.stringify(nonEmpty((top[t] as RuleMatch).ruleMatchDetails)) === key,
    );
    if (t !== undefined) pair(g, t);
  }
  // Every Count-mode group has exactly one entry: when the unclaimed entries are as many as the
  // unpaired groups, they are those groups' entries, both lists in evaluation order.
  const groupsLeft = open();
  const entriesLeft = topCounts.filter((t) => !claimed.has(t));
  if (groupsLeft.length > 0 && groupsLeft.length === entriesLeft.length) {
    for (let k = 0; k < groupsLeft.length; k++) pair(groupsLeft[k] as number, entriesLeft[k] as number);
  }
  return { terminating, aclRuleOf, claimed };
}

const NOT_A_GROUP = new Set(['REGULAR', 'RATE_BASED']);

function terminated(record: WafLogRecord): boolean {
  return record.terminatingRuleId !== '' && record.terminatingRuleId !== 'Default_Action';
}

/** Index of the group that ended the request's evaluation, or null (see attributeRules). */
function terminatingGroup(
  record: WafLogRecord,
  groups: readonly RuleGroupEntry[],
  tripped: readonly number[],
  aclRuleOf: ReadonlyMap<number, number>,
): number | null {
  if (tripped.length === 0 || !terminated(record)) return null;
  const type = record.terminatingRuleType == null ? undefined : upperAscii(record.terminatingRuleType);
  if (type !== undefined && NOT_A_GROUP.has(type)) return null;
  const acl = record.terminatingRuleId;
  const named = tripped.find((g) => namesGroup(acl, (groups[g] as RuleGroupEntry).ruleGroupId));
  if (named !== undefined) return named;
  const unaccounted = tripped.filter((g) => !aclRuleOf.has(g));
  return unaccounted.length > 0 ? (unaccounted[unaccounted.length - 1] as number) : null;
}

function terminatingHit(
  record: WafLogRecord,
  groups: readonly RuleGroupEntry[],
  terminating: number | null,
): RuleHit | null {
  if (!terminated(record)) return null;
  const topDetails = record.terminatingRuleMatchDetails ?? [];
  const rule = terminating === null ? null : groups[terminating]?.terminatingRule;
  if (terminating !== null && rule) {
    return {
      action: record.action,
      aclRule: record.terminatingRuleId,
      group: (groups[terminating] as RuleGroupEntry).ruleGroupId,
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

/** Nothing terminated: the first count that would have acted, else the first count. */
function countHit(counted: readonly CountedRule[]): RuleHit | null {
  const c = counted.find((r) => r.overridden) ?? counted[0];
  if (!c) return null;
  return { action: 'COUNT', aclRule: c.aclRule, group: c.group, ruleId: c.ruleId, details: c.details };
}

function countedIn(
  group: string,
  ruleId: string,
  details: readonly MatchDetail[] | null | undefined,
  overridden: boolean,
): CountedRule {
  return { group, ruleId, aclRule: null, details: details ?? NONE, overridden };
}

// waftune's evidence rules only label (schemas/waftune-labels.ts): they never explain a request.
const isEvidence = (r: RuleMatch) => r.ruleId.startsWith(EVIDENCE_RULE_PREFIX);
const isCount = (r: RuleMatch) => upperAscii(r.action) === 'COUNT' && !isEvidence(r);

const isOverridden = (r: RuleMatch) =>
  typeof r.overriddenAction === 'string' &&
  r.overriddenAction !== '' &&
  upperAscii(r.overriddenAction) !== 'COUNT';

const nonEmpty = (d: readonly MatchDetail[] | null | undefined) => (d && d.length > 0 ? d : undefined);

/** `arn:aws:wafv2:<region>:<account>:<scope>/rulegroup/<name>/<id>` */
const ARN_GROUP_NAME = /\/rulegroup\/([^/]+)/i;

/**
 * A web ACL rule name that names a rule group: the group's own name, or `<vendor>-<name>` (the
 * console's default for a managed group, `AWS-AWSManagedRulesCommonRuleSet`), ignoring case.
 */
export function namesGroup(aclRule: string, ruleGroupId: string): boolean {
  const rule = lowerAscii(aclRule);
  const arn = ARN_GROUP_NAME.exec(ruleGroupId);
  if (arn?.[1]) return rule === lowerAscii(arn[1]);
  const hash = ruleGroupId.lastIndexOf('#');
  const name = lowerAscii(hash === -1 ? ruleGroupId : ruleGroupId.slice(hash + 1));
  if (name === '') return false;
  if (rule === name) return true;
  if (hash === -1) return false;
  const vendor = lowerAscii(ruleGroupId.slice(0, hash));
  return rule === `${vendor}-${name}`;
}
