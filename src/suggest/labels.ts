/**
 * The label a managed rule adds (DESIGN §4): rule ids are upper case, labels mixed case, e.g.
 * rule `SizeRestrictions_BODY` -> `awswaf:managed:aws:core-rule-set:SizeRestrictions_Body`.
 */
const NAMESPACE: Record<string, string> = {
  AWSManagedRulesCommonRuleSet: 'core-rule-set',
  AWSManagedRulesSQLiRuleSet: 'sql-database',
  AWSManagedRulesWordPressRuleSet: 'wordpress-app',
  AWSManagedRulesPHPRuleSet: 'php-app',
  AWSManagedRulesKnownBadInputsRuleSet: 'known-bad-inputs',
  AWSManagedRulesAdminProtectionRuleSet: 'admin-protection',
  AWSManagedRulesAmazonIpReputationList: 'amazon-ip-list',
  AWSManagedRulesAnonymousIpList: 'anonymous-ip-list',
  AWSManagedRulesLinuxRuleSet: 'linux-os',
  AWSManagedRulesUnixRuleSet: 'posix-os',
  AWSManagedRulesWindowsRuleSet: 'windows-os',
};

const SUFFIX: Record<string, string> = {
  BODY: 'Body',
  QUERYSTRING: 'QueryString',
  QUERYARGUMENTS: 'QueryArguments',
  URIPATH: 'URIPath',
  COOKIE: 'Cookie',
  HEADER: 'Header',
  COOKIE_HEADER: 'Cookie_Header',
};

/** `AWS#AWSManagedRulesCommonRuleSet` -> vendor `AWS`, name `AWSManagedRulesCommonRuleSet`; null for a non-managed group. */
export function managedGroup(ruleGroup: string | null): { vendor: string; name: string } | null {
  if (!ruleGroup) return null;
  const m = /^([A-Za-z0-9_-]+)#([A-Za-z0-9_-]+)$/.exec(ruleGroup);
  return m?.[1] && m[2] ? { vendor: m[1], name: m[2] } : null;
}

/** The rule's label: the one seen on the blocked requests when there is one, else derived. */
export function labelForRule(ruleGroup: string, ruleId: string, seenLabels: Iterable<string>): string | null {
  const wanted = ruleId.toLowerCase();
  for (const label of seenLabels) {
    const last = label.slice(label.lastIndexOf(':') + 1);
    if (label.startsWith('awswaf:managed:') && last.toLowerCase() === wanted) return label;
  }
  const group = managedGroup(ruleGroup);
  const namespace = group && group.vendor === 'AWS' ? NAMESPACE[group.name] : undefined;
  if (!namespace) return null;
  const m = /^(.*?)_(COOKIE_HEADER|BODY|QUERYSTRING|QUERYARGUMENTS|URIPATH|COOKIE|HEADER)$/.exec(ruleId);
  const name = m?.[1] && m[2] ? `${m[1]}_${SUFFIX[m[2]]}` : ruleId;
  return `awswaf:managed:aws:${namespace}:${name}`;
}
