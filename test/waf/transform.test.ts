import { describe, expect, it } from 'vitest';
import { ensureIpBlockRule, normalizeAddress } from '../../src/waf/ip-block.js';
import { overrideRuleName } from '../../src/waf/names.js';
import { applyOverride, type OverrideSpec } from '../../src/waf/override.js';
import { decodeText, scopeStatement, statementToScope } from '../../src/waf/statements.js';
import type { Rule } from '../../src/waf/types.js';
import { AwsModelValidator, loadAwsModel } from '../support/aws-model-validator.js';
import { managedGroupRule, rateRule, WAFV2_MODEL_PATH } from '../support/wafv2-local-endpoint.js';

const model = new AwsModelValidator(loadAwsModel(WAFV2_MODEL_PATH), {
  exactlyOneOf: ['Statement', 'FieldToMatch', 'RuleAction', 'DefaultAction', 'OverrideAction'],
});

const LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';
const base = (): Rule[] =>
  [
    managedGroupRule('AWSManagedRulesCommonRuleSet', 10),
    rateRule('rate-login', 11),
    managedGroupRule('AWSManagedRulesSQLiRuleSet', 20),
  ] as unknown as Rule[];

const spec = (over: Partial<OverrideSpec> = {}): OverrideSpec => ({
  id: 'ov-1',
  ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
  ruleId: 'SizeRestrictions_BODY',
  label: LABEL,
  scope: { paths: [{ match: 'STARTS_WITH', value: '/wp-admin/' }], methods: ['POST'] },
  ...over,
});

function changed(rules: readonly Rule[], s: OverrideSpec): Rule[] {
  const result = applyOverride(rules, s);
  if (result.status !== 'changed')
    throw new Error(`expected a change, got ${result.status}: ${result.reason}`);
  return result.rules;
}

function ordered(rules: Rule[]): string[] {
  return [...rules].sort((a, b) => a.Priority - b.Priority).map((r) => `${r.Priority}:${r.Name}`);
}

function exemptPaths(rule: Rule | undefined): string[] {
  const text = JSON.stringify(rule?.Statement);
  return [...text.matchAll(/"SearchString":"([^"]+)"/g)].map((m) => decodeText(m[1] ?? ''));
}

describe('rule-override transformation', () => {
  it('counts the rule in its group and blocks it right after the group, except inside the scope', () => {
    const rules = changed(base(), spec());
    expect(ordered(rules)).toEqual([
      '10:AWS-AWSManagedRulesCommonRuleSet',
      '11:waftune-override-SizeRestrictions_BODY',
      '12:rate-login',
      '20:AWS-AWSManagedRulesSQLiRuleSet',
    ]);
    const group = rules.find((r) => r.Name === 'AWS-AWSManagedRulesCommonRuleSet');
    expect(group?.Statement.ManagedRuleGroupStatement?.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
    const rule = rules.find((r) => r.Name === 'waftune-override-SizeRestrictions_BODY');
    expect(rule?.Action).toEqual({ Block: {} });
    const [label, not] = rule?.Statement.AndStatement?.Statements ?? [];
    expect(label).toEqual({ LabelMatchStatement: { Scope: 'LABEL', Key: LABEL } });
    expect(statementToScope(not?.NotStatement?.Statement ?? {})).toEqual({
      paths: [{ match: 'STARTS_WITH', value: '/wp-admin/' }],
      methods: ['POST'],
    });
    // the other rules are untouched
    expect(rules.find((r) => r.Name === 'AWS-AWSManagedRulesSQLiRuleSet')).toEqual(base()[2]);
  });

  it('generates rules the WAFv2 model accepts for every statement it uses', () => {
    const rules = changed(
      base(),
      spec({
        scope: {
          paths: [
            { match: 'EXACTLY', value: '/wp-admin/admin-ajax.php' },
            { match: 'STARTS_WITH', value: '/wp-json/wp/v2/' },
          ],
          methods: ['post', 'PUT'],
          hosts: ['Blog.Example.com'],
          query: { match: 'CONTAINS', value: 'action=heartbeat' },
        },
      }),
    );
    const withIp = ensureIpBlockRule(
      rules,
      'IPV4',
      'arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/waftune-blocked-ipv4/0f2b6c1e-1111-4c4c-9d9d-0123456789ab',
    );
    if (withIp.status !== 'changed') throw new Error('expected the IP rule');
    expect(model.validateShape('Rules', withIp.rules)).toEqual([]);
    const text = JSON.stringify(withIp.rules);
    for (const statement of [
      'AndStatement',
      'OrStatement',
      'NotStatement',
      'LabelMatchStatement',
      'ByteMatchStatement',
      'IPSetReferenceStatement',
    ]) {
      expect(text).toContain(statement);
    }
    const rule = withIp.rules.find((r) => r.Name.startsWith('waftune-override-'));
    expect(exemptPaths(rule)).toEqual([
      '/wp-admin/admin-ajax.php',
      '/wp-json/wp/v2/',
      'POST',
      'PUT',
      'blog.example.com',
      'action=heartbeat',
    ]);
  });

  it('is idempotent: the same override a second time changes nothing', () => {
    const once = changed(base(), spec());
    const twice = applyOverride(once, spec({ id: 'ov-again' }));
    expect(twice.status).toBe('unchanged');
  });

  it('widens the existing rule for a second scope of the same rule instead of stacking rules', () => {
    const once = changed(base(), spec());
    const widened = changed(
      once,
      spec({ id: 'ov-2', scope: { paths: [{ match: 'EXACTLY', value: '/xmlrpc.php' }], methods: ['POST'] } }),
    );
    const ours = widened.filter((r) => r.Name.startsWith('waftune-override-'));
    expect(ours).toHaveLength(1);
    // same methods, so the paths merge into one scope
    expect(exemptPaths(ours[0])).toEqual(['/wp-admin/', '/xmlrpc.php', 'POST']);
    expect(
      widened.find((r) => r.Name === 'AWS-AWSManagedRulesCommonRuleSet')?.Statement.ManagedRuleGroupStatement
        ?.RuleActionOverrides,
    ).toHaveLength(1);
    // a scope the rule already covers is a no-op
    expect(
      applyOverride(
        widened,
        spec({ scope: { paths: [{ match: 'EXACTLY', value: '/wp-admin/post.php' }], methods: ['POST'] } }),
      ).status,
    ).toBe('unchanged');
    // a different kind of scope is ORed in
    const other = changed(widened, spec({ scope: { hosts: ['shop.example.com'] } }));
    const not = other.find((r) => r.Name.startsWith('waftune-override-'))?.Statement.AndStatement
      ?.Statements[1]?.NotStatement?.Statement;
    expect(not?.OrStatement?.Statements).toHaveLength(2);
    expect(model.validateShape('Rules', other)).toEqual([]);
  });

  it('keeps a hand-edited exemption and adds the new scope beside it', () => {
    const once = changed(base(), spec());
    const rule = once.find((r) => r.Name.startsWith('waftune-override-')) as Rule;
    const handEdited = {
      ...rule,
      Statement: {
        AndStatement: {
          Statements: [
            { LabelMatchStatement: { Scope: 'LABEL' as const, Key: LABEL } },
            { NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ['DE'] } } } },
          ],
        },
      },
    };
    const edited = once.map((r) => (r === rule ? handEdited : r));
    const next = changed(edited, spec({ scope: { paths: [{ match: 'EXACTLY', value: '/x' }] } }));
    const text = JSON.stringify(next.find((r) => r.Name === rule.Name));
    expect(text).toContain('GeoMatchStatement');
    expect(text).toContain(Buffer.from('/x').toString('base64'));
  });

  it('an empty scope only counts the rule, and a later narrower override does not make it stricter', () => {
    const counted = changed(base(), spec({ scope: {} }));
    expect(counted.some((r) => r.Name.startsWith('waftune-override-'))).toBe(false);
    expect(applyOverride(counted, spec()).status).toBe('unchanged');
  });

  it('refuses what it cannot do safely, and says why', () => {
    const reason = (rules: Rule[], s: OverrideSpec) => {
      const r = applyOverride(rules, s);
      return r.status === 'refused' ? r.reason : `not refused: ${r.status}`;
    };
    expect(reason(base(), spec({ ruleGroup: 'AWS#AWSManagedRulesPHPRuleSet' }))).toContain(
      'has no rule group AWS#AWSManagedRulesPHPRuleSet',
    );
    const counting = base().map((r, i) => (i === 0 ? { ...r, OverrideAction: { Count: {} } } : r));
    expect(reason(counting, spec())).toContain('only counts');
    const challenged = changed(base(), spec()).map((r) =>
      r.Name === 'AWS-AWSManagedRulesCommonRuleSet'
        ? {
            ...r,
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
                RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Challenge: {} } }],
              },
            },
          }
        : r,
    );
    expect(reason(challenged, spec())).toContain('already overridden to Challenge');
    const excluded = base().map((r, i) =>
      i === 0
        ? {
            ...r,
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
                ExcludedRules: [{ Name: 'SizeRestrictions_BODY' }],
              },
            },
          }
        : r,
    );
    expect(reason(excluded, spec())).toContain('legacy ExcludedRules');
    expect(reason(base(), spec({ label: 'bad label with spaces' }))).toContain('not a valid WAF label key');
    expect(
      reason(base(), spec({ scope: { paths: [{ match: 'STARTS_WITH', value: `/${'a'.repeat(250)}` }] } })),
    ).toContain('at most 200');
  });

  it('finds the group by the names logs and people use', () => {
    for (const ruleGroup of [
      'AWS#AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesCommonRuleSet',
      'AWS-AWSManagedRulesCommonRuleSet',
    ]) {
      expect(applyOverride(base(), spec({ ruleGroup })).status).toBe('changed');
    }
  });

  it('names rules deterministically within WAF limits, apart for the same rule id in two groups', () => {
    const long = overrideRuleName('X'.repeat(200));
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^[\w-]+$/);
    expect(overrideRuleName('X'.repeat(200))).toBe(long);
    expect(overrideRuleName('a.b')).not.toBe(overrideRuleName('a:b'));
    // the same rule id in the SQLi group: a second, disambiguated rule
    const first = changed(base(), spec());
    const second = changed(
      first,
      spec({
        ruleGroup: 'AWS#AWSManagedRulesSQLiRuleSet',
        label: 'awswaf:managed:aws:sql-database:SizeRestrictions_Body',
      }),
    );
    const names = second.filter((r) => r.Name.startsWith('waftune-override-')).map((r) => r.Name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    expect(model.validateShape('Rules', second)).toEqual([]);
  });
});

describe('IP blocks', () => {
  const arn =
    'arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/waftune-blocked-ipv4/0f2b6c1e-1111-4c4c-9d9d-0123456789ab';

  it('puts the block rule at the top, once', () => {
    const result = ensureIpBlockRule(base(), 'IPV4', arn);
    if (result.status !== 'changed') throw new Error('expected a change');
    expect(ordered(result.rules)[0]).toBe('9:waftune-ip-block-ipv4');
    expect(ensureIpBlockRule(result.rules, 'IPV4', arn).status).toBe('unchanged');
    const atZero = base().map((r, i) => ({ ...r, Priority: i }));
    const shifted = ensureIpBlockRule(atZero, 'IPV4', arn);
    if (shifted.status !== 'changed') throw new Error('expected a change');
    expect(new Set(shifted.rules.map((r) => r.Priority)).size).toBe(shifted.rules.length);
    expect(ordered(shifted.rules)[0]).toBe('0:waftune-ip-block-ipv4');
  });

  it('normalizes addresses to the CIDR form WAF stores and refuses non-public or huge ranges', () => {
    expect(normalizeAddress('198.51.100.7')).toEqual({ cidr: '198.51.100.7/32', version: 'IPV4' });
    expect(normalizeAddress('2001:DB8:0:0::1')).toEqual({ cidr: '2001:db8::1/128', version: 'IPV6' });
    expect(normalizeAddress('203.0.113.9/24')).toEqual({ cidr: '203.0.113.0/24', version: 'IPV4' });
    // Several IPv6 attackers in one /64: the network, in the form WAF stores (host bits cleared, RFC 5952).
    expect(normalizeAddress('2001:0DB8:0001:0002:abcd:0000:0000:0001/64')).toEqual({
      cidr: '2001:db8:1:2::/64',
      version: 'IPV6',
    });
    expect(normalizeAddress('10.1.2.3')).toEqual({ error: expect.stringContaining('private') });
    expect(normalizeAddress('8.0.0.0/8')).toEqual({ error: expect.stringContaining('wider than /16') });
    expect(normalizeAddress('not-an-ip')).toEqual({ error: expect.stringContaining('not an IP address') });
  });
});

describe('scope statements', () => {
  it('read back what they wrote, in a normalized order', () => {
    const scope = {
      hosts: ['B.example', 'a.example'],
      methods: ['get'],
      paths: [
        { match: 'EXACTLY' as const, value: '/z' },
        { match: 'STARTS_WITH' as const, value: '/a/' },
      ],
    };
    const statement = scopeStatement(scope);
    expect(statement && statementToScope(statement)).toEqual({
      paths: [
        { match: 'STARTS_WITH', value: '/a/' },
        { match: 'EXACTLY', value: '/z' },
      ],
      methods: ['GET'],
      hosts: ['a.example', 'b.example'],
    });
  });
});
