import type { IpBlock, RuleOverride, SuggestionSet } from '../../schemas/suggestion.js';

/** Suggestions as `waftune suggest` writes them, for the WAF tests. */

export const LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';

export function override(
  id: string,
  webAcls: string[],
  scope: RuleOverride['scope'] = {
    paths: [{ match: 'STARTS_WITH', value: '/wp-admin/' }],
    methods: ['POST'],
  },
): RuleOverride {
  return {
    id,
    kind: 'rule-override',
    ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
    ruleId: 'SizeRestrictions_BODY',
    label: LABEL,
    scope,
    webAcls,
    confidence: 0.9,
    evidence: {
      blockedRequests: 40,
      distinctIps: 5,
      sites: 2,
      loggedInShare: 1,
      ipsWithAdminWork: 5,
      hostsSample: [],
      samples: [],
    },
    impact: { wouldAllow: 40, wouldAllowFromAttackers: 0, stillBlockedByIpBlocks: 0 },
    reasons: ['editors saving long posts'],
  };
}

export function ipBlock(id: string, addresses: string[], expiresAfterDays = 7): IpBlock {
  return {
    id,
    kind: 'ip-block',
    addresses,
    expiresAfterDays,
    confidence: 0.95,
    evidence: {
      requests: 500,
      blockedRequests: 480,
      sites: 12,
      webAcls: [],
      signals: ['scanner'],
      userAgents: [],
      samples: [],
    },
    reasons: ['probing wp-config backups on 12 sites'],
  };
}

export function suggestionSet(suggestions: SuggestionSet['suggestions']): SuggestionSet {
  return {
    version: 1,
    window: { from: '2025-06-01T00:00:00.000Z', to: '2025-06-02T00:00:00.000Z' },
    suggestions,
  };
}
