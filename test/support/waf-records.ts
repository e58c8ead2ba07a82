import { awsDocExampleLines } from './vendored.js';

/**
 * WAF log records in the shapes AWS documents (the Developer Guide's log fields and examples,
 * fixtures/waf-log-examples/): the top level of AWS's example record, and rule matches placed
 * where WAF puts them for each way a web ACL can use a rule group.
 */

export type Json = Record<string, unknown>;

export const SQLI_GROUP = 'AWS#AWSManagedRulesSQLiRuleSet';
export const CRS_GROUP = 'AWS#AWSManagedRulesCommonRuleSet';
export const IPREP_GROUP = 'AWS#AWSManagedRulesAmazonIpReputationList';
export const CUSTOMER_GROUP =
  'arn:aws:wafv2:us-east-1:111122223333:regional/rulegroup/wp-hardening/5d7b3c1e-2f4a-4c8b-9e61-0a9f3b2c4d5e';

/** What WAF logs for `SQLi_QUERYARGUMENTS` on `?s=1' OR '1'='1`. */
export const SQLI_DETAILS = [
  {
    conditionType: 'SQL_INJECTION',
    sensitivityLevel: 'LOW',
    location: 'ALL_QUERY_ARGS',
    matchedData: ["'", 'OR', "'1'", '=', "'1"],
    matchedFieldName: 's',
  },
];

const SQLI_LABEL = { name: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments' };
const BODY_LABEL = { name: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' };

/** A group AWS WAF evaluated and nothing in it matched. */
export const quietGroup = (ruleGroupId: string): Json => ({
  ruleGroupId,
  terminatingRule: null,
  nonTerminatingMatchingRules: [],
  excludedRules: null,
  customerConfig: null,
});

/**
 * A record as WAF writes it behind an ALB: the top level of AWS's example, a WordPress request.
 * `over` replaces top-level fields, `request` fields of httpRequest.
 */
export function wafRecord(over: Json = {}, request: Json = {}): Json {
  const base = JSON.parse(awsDocExampleLines()[3] ?? '{}') as Json;
  return {
    ...base,
    timestamp: Date.UTC(2026, 10, 20, 10, 30),
    webaclId:
      'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/wp-fleet-alb/5ae3b606-c9d2-43a1-9a9e-4f1c2b3a4d5e',
    terminatingRuleId: 'Default_Action',
    terminatingRuleType: 'REGULAR',
    action: 'ALLOW',
    terminatingRuleMatchDetails: [],
    httpSourceName: 'ALB',
    httpSourceId: '111122223333-app/wp-fleet/768dd9170f08bb0d',
    ruleGroupList: [quietGroup(IPREP_GROUP), quietGroup(CRS_GROUP), quietGroup(SQLI_GROUP)],
    rateBasedRuleList: [],
    nonTerminatingMatchingRules: [],
    requestHeadersInserted: null,
    responseCodeSent: null,
    httpRequest: {
      clientIp: '198.51.100.23',
      country: 'DE',
      headers: [
        { name: 'host', value: 'shop.example.com' },
        { name: 'user-agent', value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0' },
        { name: 'accept', value: 'text/html,application/xhtml+xml' },
      ],
      uri: '/',
      args: "s=1'%20OR%20'1'='1",
      httpVersion: 'HTTP/1.1',
      httpMethod: 'GET',
      requestId: '1-674c5a2e-3b1f0d5c7a9e2b4d6f8a0c1e',
      ...request,
    },
    labels: [SQLI_LABEL],
    ...over,
  };
}

/**
 * The SQLi group run in Count mode at the web ACL (`OverrideAction: Count`, the rule named
 * AWS-AWSManagedRulesSQLiRuleSet as the console names it): nothing terminated, the group's entry
 * holds the rule that matched with action BLOCK, and the top-level non-terminating list names the
 * web ACL rule, COUNT, with the match details.
 */
export function countModeGroupRecord(aclRuleName = 'AWS-AWSManagedRulesSQLiRuleSet'): Json {
  return wafRecord({
    ruleGroupList: [
      quietGroup(IPREP_GROUP),
      quietGroup(CRS_GROUP),
      {
        ...quietGroup(SQLI_GROUP),
        terminatingRule: { ruleId: 'SQLi_QUERYARGUMENTS', action: 'BLOCK', ruleMatchDetails: SQLI_DETAILS },
      },
    ],
    nonTerminatingMatchingRules: [{ ruleId: aclRuleName, action: 'COUNT', ruleMatchDetails: SQLI_DETAILS }],
  });
}

/** The legacy exclusion: SQLi_QUERYARGUMENTS in ExcludedRules, logged as EXCLUDED_AS_COUNT. */
export function excludedAsCountRecord(withDetails = true): Json {
  return wafRecord({
    ruleGroupList: [
      quietGroup(IPREP_GROUP),
      quietGroup(CRS_GROUP),
      {
        ...quietGroup(SQLI_GROUP),
        excludedRules: [
          {
            exclusionType: 'EXCLUDED_AS_COUNT',
            ruleId: 'SQLi_QUERYARGUMENTS',
            ...(withDetails ? { ruleMatchDetails: SQLI_DETAILS } : {}),
          },
        ],
      },
    ],
  });
}

/**
 * Two groups listed: the Common Rule Set in Count mode (its SizeRestrictions_BODY would have
 * blocked the upload), then the SQLi group enforcing, which terminated. Both entries have a
 * terminatingRule; the one that terminated is the group of `terminatingRuleId`.
 */
export function countModeThenTerminatingRecord(
  names = { crs: 'AWS-AWSManagedRulesCommonRuleSet', sqli: 'AWS-AWSManagedRulesSQLiRuleSet' },
): Json {
  return wafRecord(
    {
      terminatingRuleId: names.sqli,
      terminatingRuleType: 'MANAGED_RULE_GROUP',
      action: 'BLOCK',
      terminatingRuleMatchDetails: SQLI_DETAILS,
      ruleGroupList: [
        quietGroup(IPREP_GROUP),
        {
          ...quietGroup(CRS_GROUP),
          terminatingRule: { ruleId: 'SizeRestrictions_BODY', action: 'BLOCK', ruleMatchDetails: null },
        },
        {
          ...quietGroup(SQLI_GROUP),
          terminatingRule: { ruleId: 'SQLi_QUERYARGUMENTS', action: 'BLOCK', ruleMatchDetails: null },
        },
      ],
      nonTerminatingMatchingRules: [{ ruleId: names.crs, action: 'COUNT', ruleMatchDetails: [] }],
      labels: [BODY_LABEL, SQLI_LABEL],
      requestBodySize: 524288,
      requestBodySizeInspectedByWAF: 16384,
    },
    { uri: '/wp-admin/async-upload.php', httpMethod: 'POST' },
  );
}

/**
 * A managed rule terminated and other rules counted: SizeRestrictions_BODY blocked, while in the
 * same group CrossSiteScripting_BODY (overridden to Count) and the web ACL's own Count rule matched.
 */
export function terminatedAndCountedRecord(): Json {
  return wafRecord(
    {
      terminatingRuleId: 'AWS-AWSManagedRulesCommonRuleSet',
      terminatingRuleType: 'MANAGED_RULE_GROUP',
      action: 'BLOCK',
      ruleGroupList: [
        quietGroup(IPREP_GROUP),
        {
          ...quietGroup(CRS_GROUP),
          terminatingRule: { ruleId: 'SizeRestrictions_BODY', action: 'BLOCK', ruleMatchDetails: null },
          nonTerminatingMatchingRules: [
            {
              ruleId: 'CrossSiteScripting_BODY',
              action: 'COUNT',
              overriddenAction: 'BLOCK',
              ruleMatchDetails: [{ conditionType: 'XSS', location: 'BODY', matchedData: ['<', 'script'] }],
            },
          ],
        },
      ],
      nonTerminatingMatchingRules: [
        { ruleId: 'count-wp-admin-posts', action: 'COUNT', ruleMatchDetails: [] },
      ],
      labels: [BODY_LABEL],
      requestBodySize: 65536,
    },
    { uri: '/wp-admin/post.php', httpMethod: 'POST', args: '' },
  );
}

/**
 * A customer rule group (the web ACL rule `wp-hardening-rules` references it by ARN): enforcing it
 * terminates with terminatingRuleType GROUP; in Count mode the ARN's group shows as in
 * countModeGroupRecord.
 */
export function customerGroupRecord(mode: 'enforce' | 'count'): Json {
  const group = {
    ...quietGroup(CUSTOMER_GROUP),
    terminatingRule: { ruleId: 'block-xmlrpc', action: 'BLOCK', ruleMatchDetails: null },
    nonTerminatingMatchingRules: [{ ruleId: 'count-author-scan', action: 'COUNT', ruleMatchDetails: [] }],
  };
  const common = { ruleGroupList: [quietGroup(IPREP_GROUP), group], labels: [] };
  const request = { uri: '/xmlrpc.php', httpMethod: 'POST', args: '' };
  if (mode === 'enforce')
    return wafRecord(
      { ...common, terminatingRuleId: 'wp-hardening-rules', terminatingRuleType: 'GROUP', action: 'BLOCK' },
      request,
    );
  return wafRecord(
    {
      ...common,
      nonTerminatingMatchingRules: [{ ruleId: 'wp-hardening-rules', action: 'COUNT', ruleMatchDetails: [] }],
    },
    request,
  );
}
