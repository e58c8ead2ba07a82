import type { RuleOverride, Scope } from '../../schemas/suggestion.js';
import { type FirewallManagerMatch, findFirewallManagerGroup, policyChange } from './firewall-manager.js';
import { topIndex } from './ip-block.js';
import type { AclContext, Mutation, MutationResult } from './mutation.js';
import { OVERRIDE_PREFIX, overrideRuleName } from './names.js';
import { byPriority, insertAt } from './priorities.js';
import { namesRuleGroup } from './rule-group-names.js';
import { widenScopes } from './scope-set.js';
import {
  exemptStatement,
  isEmptyScope,
  normalizeScope,
  scopeProblems,
  statementToScopes,
} from './statements.js';
import type { Rule, RuleBody, RuleGroupStatementCommon, Statement } from './types.js';

/**
 * A rule-override, the narrow fix AWS documents for a managed rule's false positive (DESIGN §4):
 * the rule is set to Count inside its group, and a waftune rule right after the group blocks what
 * the rule labelled, except inside the suggestion's scope:
 *
 *   waftune-override-<ruleId>:  AND(LabelMatch(label), NOT(scope)) -> Block
 *
 * Applying it twice changes nothing; a second override of the same rule widens that rule's scope.
 */

const LABEL_KEY = /^[0-9A-Za-z_\-:]+$/;

export type OverrideSpec = Pick<RuleOverride, 'id' | 'ruleGroup' | 'ruleId' | 'label' | 'scope'>;

interface GroupMatch {
  rule: Rule;
  statement: RuleGroupStatementCommon;
  key: 'ManagedRuleGroupStatement' | 'RuleGroupReferenceStatement';
}

/**
 * The rule group a suggestion names, as logs name it (`AWS#AWSManagedRulesCommonRuleSet`, a rule
 * group ARN) or as people do (the group's name, or the name of the web ACL rule that holds it).
 */
export function findRuleGroup(rules: readonly Rule[], ruleGroup: string): GroupMatch[] {
  const found: GroupMatch[] = [];
  for (const rule of byPriority(rules)) {
    const managed = rule.Statement.ManagedRuleGroupStatement;
    const reference = rule.Statement.RuleGroupReferenceStatement;
    if (
      !namesRuleGroup(ruleGroup, rule.Name, {
        ...(managed ? { managed } : {}),
        ...(reference ? { reference } : {}),
      })
    )
      continue;
    if (managed) found.push({ rule, statement: managed, key: 'ManagedRuleGroupStatement' });
    else if (reference) found.push({ rule, statement: reference, key: 'RuleGroupReferenceStatement' });
  }
  return found;
}

/** The waftune rule that blocks `label` outside the exempt scopes, if the ACL has one. */
export function findOverrideRule(
  rules: readonly Rule[],
  label: string,
): { rule: Rule; exempt: Statement | undefined } | undefined {
  for (const rule of rules) {
    if (!rule.Name.startsWith(OVERRIDE_PREFIX)) continue;
    const parts = rule.Statement.AndStatement?.Statements;
    const labelMatch = parts?.[0]?.LabelMatchStatement;
    if (labelMatch?.Scope !== 'LABEL' || labelMatch.Key !== label) continue;
    return { rule, exempt: parts?.[1]?.NotStatement?.Statement };
  }
  return undefined;
}

function overrideRule(name: string, label: string, exempt: Statement): RuleBody {
  return {
    Name: name,
    Statement: {
      AndStatement: {
        Statements: [
          { LabelMatchStatement: { Scope: 'LABEL', Key: label } },
          { NotStatement: { Statement: exempt } },
        ],
      },
    },
    Action: { Block: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
  };
}

function withCountOverride(group: GroupMatch, ruleId: string): Rule {
  const statement = {
    ...group.statement,
    RuleActionOverrides: [
      ...(group.statement.RuleActionOverrides ?? []),
      { Name: ruleId, ActionToUse: { Count: {} } },
    ],
  };
  return { ...group.rule, Statement: { ...group.rule.Statement, [group.key]: statement } };
}

function replaceRule(rules: readonly Rule[], old: Rule, next: Rule | undefined): Rule[] {
  return rules.flatMap((r) => (r === old ? (next ? [next] : []) : [r]));
}

export function applyOverride(
  rules: readonly Rule[],
  spec: OverrideSpec,
  context?: AclContext,
): MutationResult {
  if (!LABEL_KEY.test(spec.label) || spec.label.length > 1024) {
    return { status: 'refused', reason: `the label is not a valid WAF label key: ${spec.label}` };
  }
  const problems = scopeProblems(spec.scope);
  if (problems.length) return { status: 'refused', reason: problems.join('; ') };

  const groups = findRuleGroup(rules, spec.ruleGroup);
  const group = groups[0];
  if (!group) {
    const managed = context?.firewallManager
      ? findFirewallManagerGroup(context.firewallManager, spec.ruleGroup)
      : [];
    if (managed.length) return applyUnderFirewallManager(rules, spec, managed, context?.webAclName ?? '');
    return { status: 'refused', reason: `this web ACL has no rule group ${spec.ruleGroup}` };
  }
  if (groups.length > 1) {
    return {
      status: 'refused',
      reason: `rule group ${spec.ruleGroup} appears ${groups.length} times in this web ACL (${groups.map((g) => g.rule.Name).join(', ')})`,
    };
  }
  if (group.rule.OverrideAction?.Count) {
    return {
      status: 'refused',
      reason: `rule group ${group.rule.Name} only counts (OverrideAction Count); an override would make it stricter`,
    };
  }
  if (group.statement.ExcludedRules?.some((r) => r.Name === spec.ruleId)) {
    return {
      status: 'refused',
      reason: `${spec.ruleId} is in the legacy ExcludedRules of ${group.rule.Name}; move it to RuleActionOverrides first`,
    };
  }
  const existingOverride = group.statement.RuleActionOverrides?.find((o) => o.Name === spec.ruleId);
  if (existingOverride && !existingOverride.ActionToUse.Count) {
    const action = Object.keys(existingOverride.ActionToUse).join(', ');
    return {
      status: 'refused',
      reason: `${spec.ruleId} is already overridden to ${action} in ${group.rule.Name}; waftune leaves that alone`,
    };
  }
  const counted = existingOverride
    ? [...rules]
    : replaceRule(rules, group.rule, withCountOverride(group, spec.ruleId));
  return withLabelRule(rules, counted, spec, {
    alreadyCounted: Boolean(existingOverride),
    where: group.rule.Name,
    // Right after the group.
    insertAt: (ordered) => ordered.findIndex((r) => r.Name === group.rule.Name) + 1,
  });
}

/**
 * The group is the Firewall Manager policy's: its override is the policy's to set (printed, never
 * written). A pre-process group runs before every rule of the account, so the label rule goes at
 * the top of the account's rules (after waftune's IP block rules) and works once the policy counts
 * the rule; until then the group still blocks first and the label rule is idle. A post-process
 * group runs after the account's rules, where no account rule can see its label: the label rule
 * has to be a rule group of the policy, after the managed one.
 */
function applyUnderFirewallManager(
  rules: readonly Rule[],
  spec: OverrideSpec,
  matches: FirewallManagerMatch[],
  webAclName: string,
): MutationResult {
  const match = matches[0] as FirewallManagerMatch;
  const name = match.group.Name;
  if (matches.length > 1) {
    return {
      status: 'refused',
      reason: `rule group ${spec.ruleGroup} appears ${matches.length} times in the Firewall Manager rule groups (${matches.map((m) => m.group.Name).join(', ')})`,
    };
  }
  if (match.group.OverrideAction.Count) {
    return {
      status: 'refused',
      reason: `Firewall Manager rule group ${name} only counts (OverrideAction Count); an override would make it stricter`,
    };
  }
  const statement = match.managed ?? match.reference;
  const existing = statement?.RuleActionOverrides?.find((o) => o.Name === spec.ruleId);
  if (existing && !existing.ActionToUse.Count) {
    const action = Object.keys(existing.ActionToUse).join(', ');
    return {
      status: 'refused',
      reason: `${spec.ruleId} is overridden to ${action} in the Firewall Manager rule group ${name}; waftune leaves that alone`,
    };
  }
  const alreadyCounted =
    Boolean(existing) || Boolean(statement?.ExcludedRules?.some((r) => r.Name === spec.ruleId));
  const exempt = exemptStatement([normalizeScope(spec.scope)]);
  const plainName = overrideRuleName(spec.ruleId);
  const labelRule = exempt ? overrideRule(plainName, spec.label, exempt) : undefined;
  const change = policyChange(webAclName, match, spec.ruleGroup, spec.ruleId, labelRule);
  // Once the policy counts the rule, only the label rule is left to do.
  const withPolicy = (result: MutationResult): MutationResult =>
    alreadyCounted ? result : { ...result, policyChange: change };

  if (match.stage === 'post') {
    if (alreadyCounted)
      return {
        status: 'unchanged',
        reason: `${spec.ruleId} already counts everywhere in the Firewall Manager rule group ${name}`,
      };
    return withPolicy({
      status: 'unchanged',
      reason: `${spec.ruleId} is in the Firewall Manager rule group ${name}, which runs after this account's rules: the override and the label rule both belong in the policy`,
    });
  }
  return withPolicy(
    withLabelRule(rules, [...rules], spec, {
      alreadyCounted,
      where: `the Firewall Manager rule group ${name}`,
      // The account's rules all run after the pre-process groups: the top, below waftune's evidence and IP block rules.
      insertAt: topIndex,
    }),
  );
}

/**
 * The label rule that keeps blocking outside the scope: a new one, or the existing waftune rule
 * for the label widened. `counted` is `rules` with the rule counted in its group (when the
 * account may write that).
 */
function withLabelRule(
  rules: readonly Rule[],
  counted: Rule[],
  spec: OverrideSpec,
  place: { alreadyCounted: boolean; where: string; insertAt: (ordered: Rule[]) => number },
): MutationResult {
  const existingRule = findOverrideRule(rules, spec.label);
  // Counted in the group with no waftune rule after it: the rule is already exempt everywhere.
  if (place.alreadyCounted && !existingRule) {
    return { status: 'unchanged', reason: `${spec.ruleId} already counts everywhere in ${place.where}` };
  }
  let next = counted;
  const changedSoFar = !sameRuleList(rules, next);
  const scope = normalizeScope(spec.scope);

  if (existingRule) {
    const current = existingRule.exempt ? statementToScopes(existingRule.exempt) : undefined;
    let exempt: Statement | undefined;
    if (current) {
      const widened = widenScopes(current, scope);
      if (!widened) {
        return changedSoFar
          ? { status: 'changed', rules: next }
          : { status: 'unchanged', reason: `already applied (${existingRule.rule.Name} covers this scope)` };
      }
      exempt = exemptStatement(widened);
    } else {
      // Someone edited the exemption by hand: keep it verbatim and add ours beside it.
      const ours = exemptStatement([scope]);
      exempt =
        ours && existingRule.exempt
          ? { OrStatement: { Statements: [existingRule.exempt, ours] } }
          : undefined;
    }
    if (!exempt) {
      next = replaceRule(next, existingRule.rule, undefined);
    } else {
      const updated = overrideRule(existingRule.rule.Name, spec.label, exempt);
      next = replaceRule(next, existingRule.rule, { ...existingRule.rule, Statement: updated.Statement });
    }
    return { status: 'changed', rules: next };
  }

  const exempt = isEmptyScope(scope) ? undefined : exemptStatement([scope]);
  if (!exempt) {
    return changedSoFar
      ? { status: 'changed', rules: next }
      : { status: 'unchanged', reason: `${spec.ruleId} needs no label rule here (the scope is everywhere)` };
  }
  const plainName = overrideRuleName(spec.ruleId);
  const name = next.some((r) => r.Name === plainName) ? overrideRuleName(spec.ruleId, spec.label) : plainName;
  if (next.some((r) => r.Name === name)) {
    return {
      status: 'refused',
      reason: `a rule named ${name} already exists and is not waftune's rule for ${spec.label}`,
    };
  }
  // After the waftune rules already there, so earlier overrides keep their place.
  const ordered = byPriority(next);
  let index = place.insertAt(ordered);
  while (ordered[index]?.Name.startsWith(OVERRIDE_PREFIX)) index++;
  return { status: 'changed', rules: insertAt(ordered, index, overrideRule(name, spec.label, exempt)) };
}

function sameRuleList(a: readonly Rule[], b: readonly Rule[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

export const HEADER_MATCH_WORDS: Record<NonNullable<Scope['headers']>[number]['match'], string> = {
  EXACTLY: 'is',
  STARTS_WITH: 'starts with',
  ENDS_WITH: 'ends with',
  CONTAINS: 'contains',
};

export function describeScope(scope: Scope): string {
  const s = normalizeScope(scope);
  const parts: string[] = [];
  if (s.paths) parts.push(s.paths.map((p) => (p.match === 'EXACTLY' ? p.value : `${p.value}*`)).join(' | '));
  if (s.methods) parts.push(s.methods.join('|'));
  if (s.hosts) parts.push(`host ${s.hosts.join('|')}`);
  if (s.query) parts.push(`query ${s.query.match === 'EXACTLY' ? '=' : '~'} ${s.query.value}`);
  for (const h of s.headers ?? []) parts.push(`header ${h.name} ${HEADER_MATCH_WORDS[h.match]} ${h.value}`);
  return parts.length ? parts.join(', ') : 'everywhere';
}

export function overrideMutation(spec: OverrideSpec): Mutation {
  return {
    suggestionId: spec.id,
    title: `count ${spec.ruleId} of ${spec.ruleGroup}, still block it outside: ${describeScope(spec.scope)}`,
    apply: (rules, context) => applyOverride(rules, spec, context),
  };
}
