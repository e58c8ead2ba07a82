import { describe, expect, it } from 'vitest';
import { parseCountedRule } from '../../schemas/event.js';
import { wafLogRecordSchema } from '../../schemas/waf-log.js';
import { normalize } from '../../src/ingest/normalize.js';
import { namesGroup } from '../../src/ingest/rule-match.js';
import { awsDocExampleLines } from '../support/vendored.js';
import {
  CRS_GROUP,
  CUSTOMER_GROUP,
  countModeGroupRecord,
  countModeThenTerminatingRecord,
  customerGroupRecord,
  excludedAsCountRecord,
  IPREP_GROUP,
  quietGroup,
  SQLI_GROUP,
  terminatedAndCountedRecord,
  wafRecord,
} from '../support/waf-records.js';

const event = (record: unknown) => normalize(wafLogRecordSchema.parse(record));
const examples = awsDocExampleLines().map((l) => JSON.parse(l) as Record<string, unknown>);

describe('rule attribution: a managed rule group run in Count mode', () => {
  it('is the managed rule inside the group, COUNT, with its match details, never the web ACL rule', () => {
    const e = event(countModeGroupRecord());
    expect(e).toMatchObject({
      action: 'ALLOW',
      rule_action: 'COUNT',
      rule_group: SQLI_GROUP,
      rule_id: 'SQLi_QUERYARGUMENTS',
      acl_rule: 'AWS-AWSManagedRulesSQLiRuleSet',
      condition_type: 'SQL_INJECTION',
      match_location: 'ALL_QUERY_ARGS',
      matched_data: "' OR '1' = '1",
      counted_rules: [`${SQLI_GROUP}|SQLi_QUERYARGUMENTS`],
    });
    expect(JSON.stringify(e.counted_rules)).not.toContain('AWS-AWSManagedRulesSQLiRuleSet');
  });

  it('is found whatever the web ACL rule is called (pairing by match details), and in any case', () => {
    for (const name of ['sqli-trial', 'aws-awsmanagedrulessqliruleset', 'AWSManagedRulesSQLiRuleSet']) {
      const e = event(countModeGroupRecord(name));
      expect(e, name).toMatchObject({
        rule_id: 'SQLi_QUERYARGUMENTS',
        rule_group: SQLI_GROUP,
        acl_rule: name,
      });
      expect(e.counted_rules, name).toEqual([`${SQLI_GROUP}|SQLi_QUERYARGUMENTS`]);
    }
  });

  it('takes the details from the web ACL rule entry when the group entry has none', () => {
    const r = countModeGroupRecord('sqli-trial') as { ruleGroupList: Array<Record<string, unknown>> };
    (r.ruleGroupList[2]?.terminatingRule as Record<string, unknown>).ruleMatchDetails = null;
    expect(event(r)).toMatchObject({ rule_id: 'SQLi_QUERYARGUMENTS', condition_type: 'SQL_INJECTION' });
  });

  it('a plain Count rule of the web ACL next to it stays a counted web ACL rule', () => {
    const r = countModeGroupRecord() as Record<string, unknown[]>;
    (r.nonTerminatingMatchingRules as unknown[]).push({ ruleId: 'count-bad-referers', action: 'COUNT' });
    const e = event(r);
    expect(e.rule_id).toBe('SQLi_QUERYARGUMENTS');
    expect(e.counted_rules).toEqual([`${SQLI_GROUP}|SQLi_QUERYARGUMENTS`, 'count-bad-referers']);
  });
});

describe('rule attribution: several groups listed', () => {
  it('the terminating group is the one whose web ACL rule is terminatingRuleId, not the first with a terminatingRule', () => {
    const e = event(countModeThenTerminatingRecord());
    expect(e).toMatchObject({
      action: 'BLOCK',
      rule_action: 'BLOCK',
      acl_rule: 'AWS-AWSManagedRulesSQLiRuleSet',
      rule_group: SQLI_GROUP,
      rule_id: 'SQLi_QUERYARGUMENTS',
      condition_type: 'SQL_INJECTION',
      counted_rules: [`${CRS_GROUP}|SizeRestrictions_BODY`],
    });
  });

  it('decides by elimination and evaluation order when no name matches', () => {
    const e = event(countModeThenTerminatingRecord({ crs: 'trial-core', sqli: 'enforce-sqli' }));
    expect(e).toMatchObject({ rule_group: SQLI_GROUP, rule_id: 'SQLi_QUERYARGUMENTS', rule_action: 'BLOCK' });
    expect(e.counted_rules).toEqual([`${CRS_GROUP}|SizeRestrictions_BODY`]);
  });

  it('trusts the names over the order', () => {
    const r = countModeThenTerminatingRecord() as { ruleGroupList: unknown[] };
    r.ruleGroupList = [r.ruleGroupList[0], r.ruleGroupList[2], r.ruleGroupList[1]];
    expect(event(r)).toMatchObject({ rule_group: SQLI_GROUP, rule_id: 'SQLi_QUERYARGUMENTS' });
  });

  it('a regular or rate-based rule that terminated after a Count-mode group is the hit; the group counted', () => {
    for (const type of ['REGULAR', 'RATE_BASED']) {
      const r = countModeThenTerminatingRecord() as { ruleGroupList: unknown[] } & Record<string, unknown>;
      r.terminatingRuleId = 'block-bad-bots';
      r.terminatingRuleType = type;
      r.terminatingRuleMatchDetails = [];
      r.ruleGroupList = r.ruleGroupList.slice(0, 2);
      expect(event(r), type).toMatchObject({
        rule_action: 'BLOCK',
        acl_rule: 'block-bad-bots',
        rule_group: null,
        rule_id: 'block-bad-bots',
        counted_rules: [`${CRS_GROUP}|SizeRestrictions_BODY`],
      });
    }
  });

  it('a managed rule that terminated is the hit and the rules that counted are listed', () => {
    const e = event(terminatedAndCountedRecord());
    expect(e).toMatchObject({
      action: 'BLOCK',
      rule_action: 'BLOCK',
      rule_group: CRS_GROUP,
      rule_id: 'SizeRestrictions_BODY',
      counted_rules: [`${CRS_GROUP}|CrossSiteScripting_BODY`, 'count-wp-admin-posts'],
    });
  });
});

describe('rule attribution: excluded rules (EXCLUDED_AS_COUNT)', () => {
  it('are the rule in that group with action COUNT, with match details when logged', () => {
    expect(event(excludedAsCountRecord())).toMatchObject({
      action: 'ALLOW',
      rule_action: 'COUNT',
      rule_group: SQLI_GROUP,
      rule_id: 'SQLi_QUERYARGUMENTS',
      condition_type: 'SQL_INJECTION',
      counted_rules: [`${SQLI_GROUP}|SQLi_QUERYARGUMENTS`],
    });
    expect(event(excludedAsCountRecord(false))).toMatchObject({
      rule_action: 'COUNT',
      rule_id: 'SQLi_QUERYARGUMENTS',
      condition_type: null,
    });
  });

  it('parse with nulls, missing parts and fields WAF may add later; an entry without a rule is skipped', () => {
    const r = excludedAsCountRecord() as { ruleGroupList: Array<Record<string, unknown>> };
    (r.ruleGroupList[2] as Record<string, unknown>).excludedRules = [
      { exclusionType: null, ruleId: 'SQLi_BODY', ruleMatchDetails: null, futureField: { x: 1 } },
      { exclusionType: 'EXCLUDED_AS_COUNT' },
      { ruleId: null },
    ];
    (r.ruleGroupList[1] as Record<string, unknown>).excludedRules = null;
    expect(event(r)).toMatchObject({ rule_id: 'SQLi_BODY', counted_rules: [`${SQLI_GROUP}|SQLi_BODY`] });
  });

  it('next to a rule that only ever counts, the excluded rule explains the request', () => {
    const r = excludedAsCountRecord() as { ruleGroupList: Array<Record<string, unknown>> };
    r.ruleGroupList[0] = {
      ...quietGroup(IPREP_GROUP),
      nonTerminatingMatchingRules: [
        { ruleId: 'AWSManagedIPDDoSList', action: 'COUNT', ruleMatchDetails: [] },
      ],
    };
    const e = event(r);
    expect(e).toMatchObject({ rule_group: SQLI_GROUP, rule_id: 'SQLi_QUERYARGUMENTS' });
    expect(e.counted_rules).toEqual([
      `${IPREP_GROUP}|AWSManagedIPDDoSList`,
      `${SQLI_GROUP}|SQLi_QUERYARGUMENTS`,
    ]);
  });
});

describe('rule attribution: customer rule groups (ARNs)', () => {
  it('enforcing (terminatingRuleType GROUP): the rule in the ARN group is the hit, counted ones kept apart unambiguously', () => {
    const e = event(customerGroupRecord('enforce'));
    expect(e).toMatchObject({
      rule_action: 'BLOCK',
      acl_rule: 'wp-hardening-rules',
      rule_group: CUSTOMER_GROUP,
      rule_id: 'block-xmlrpc',
      counted_rules: [`${CUSTOMER_GROUP}|count-author-scan`],
    });
    expect(e.counted_rules.map(parseCountedRule)).toEqual([
      { group: CUSTOMER_GROUP, ruleId: 'count-author-scan' },
    ]);
  });

  it('in Count mode: the rule that would have blocked, COUNT, and never the web ACL rule', () => {
    const e = event(customerGroupRecord('count'));
    expect(e).toMatchObject({
      action: 'ALLOW',
      rule_action: 'COUNT',
      rule_group: CUSTOMER_GROUP,
      rule_id: 'block-xmlrpc',
      acl_rule: 'wp-hardening-rules',
    });
    expect(e.counted_rules).toEqual([
      `${CUSTOMER_GROUP}|count-author-scan`,
      `${CUSTOMER_GROUP}|block-xmlrpc`,
    ]);
  });

  it("AWS's documented GROUP record: the ARN group's rule, and its counted rule split back exactly", () => {
    const e = event(examples[2]);
    expect(e).toMatchObject({
      rule_id: 'RuleA-XSS',
      rule_group: expect.stringContaining(':global/rulegroup/hello-world/'),
    });
    expect(e.counted_rules).toHaveLength(1);
    expect(parseCountedRule(e.counted_rules[0] as string)).toEqual({
      group: e.rule_group,
      ruleId: 'RuleB-SQLi',
    });
  });
});

describe('rule attribution: CAPTCHA and Challenge', () => {
  it('a CAPTCHA that passed (valid token, AWS example) is not a counted rule; one that terminated is the hit', () => {
    const passed = event(examples[4]);
    expect(passed).toMatchObject({ action: 'ALLOW', rule_action: null, rule_id: null, counted_rules: [] });
    expect(event(examples[5])).toMatchObject({
      action: 'CAPTCHA',
      rule_action: 'CAPTCHA',
      rule_id: 'captcha-rule',
    });
  });

  it('a Challenge that passed is not a counted rule either, in a group or at the top level', () => {
    const e = event(
      wafRecord({
        ruleGroupList: [
          {
            ...quietGroup(CRS_GROUP),
            nonTerminatingMatchingRules: [
              {
                ruleId: 'challenge-login',
                action: 'CHALLENGE',
                challengeResponse: { responseCode: 0, solveTimestamp: 1 },
              },
            ],
          },
        ],
        nonTerminatingMatchingRules: [
          { ruleId: 'captcha-register', action: 'CAPTCHA', ruleMatchDetails: [] },
        ],
        labels: [],
      }),
    );
    expect(e).toMatchObject({ rule_action: null, counted_rules: [] });
  });
});

describe('namesGroup', () => {
  it('matches the console default, the bare name and ARN names, ignoring case, and nothing looser', () => {
    expect(namesGroup('AWS-AWSManagedRulesSQLiRuleSet', SQLI_GROUP)).toBe(true);
    expect(namesGroup('awsmanagedrulessqliruleset', SQLI_GROUP)).toBe(true);
    expect(namesGroup('wp-hardening', CUSTOMER_GROUP)).toBe(true);
    expect(namesGroup('AWS-AWSManagedRulesSQLiRuleSet', CRS_GROUP)).toBe(false);
    expect(namesGroup('AWS-AWSManagedRulesSQLiRuleSet-v2', SQLI_GROUP)).toBe(false);
    expect(namesGroup('wp-hardening-rules', CUSTOMER_GROUP)).toBe(false);
  });
});
