import type { ManagedRuleGroupStatement, RuleGroupReferenceStatement } from './types.js';

/**
 * Whether a rule group statement is the group a suggestion names, as logs name it
 * (`AWS#AWSManagedRulesCommonRuleSet`, a rule group ARN) or as people do (the group's name, or the
 * name of the rule that holds it): the same test for the account's rules and Firewall Manager's.
 */
export function namesRuleGroup(
  ruleGroup: string,
  holder: string,
  statement: { managed?: ManagedRuleGroupStatement; reference?: RuleGroupReferenceStatement },
): boolean {
  const hash = ruleGroup.indexOf('#');
  const vendor = hash > 0 ? ruleGroup.slice(0, hash) : undefined;
  const name = hash > 0 ? ruleGroup.slice(hash + 1) : ruleGroup;
  const { managed, reference } = statement;
  if (managed)
    return vendor
      ? managed.VendorName === vendor && managed.Name === name
      : managed.Name === name || holder === name;
  return Boolean(reference && (reference.ARN === ruleGroup || holder === ruleGroup));
}
