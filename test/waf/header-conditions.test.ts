import { describe, expect, it } from 'vitest';
import { conditionImplies } from '../../schemas/header-conditions.js';
import type { HeaderMatch, Scope } from '../../schemas/suggestion.js';
import { applyOverride, findOverrideRule } from '../../src/waf/override.js';
import { widenScopes } from '../../src/waf/scope-set.js';
import { decodeText, scopeStatement, statementToScope, statementToScopes } from '../../src/waf/statements.js';
import type { Rule } from '../../src/waf/types.js';
import { AwsModelValidator, loadAwsModel } from '../support/aws-model-validator.js';
import { awsModelPath } from '../support/vendored.js';
import { matches } from '../support/waf-simulator.js';
import { LABEL, override } from './suggestions.js';

const model = new AwsModelValidator(loadAwsModel(awsModelPath('wafv2')), {
  exactlyOneOf: ['Statement', 'FieldToMatch', 'RuleAction'],
});

const LOGIN: HeaderMatch = { name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in_' };
const post = (extra: Scope = {}): Scope => ({
  methods: ['POST'],
  paths: [{ match: 'STARTS_WITH', value: '/wp-json/wp/v2/posts/' }],
  ...extra,
});

const group = (): Rule => ({
  Name: 'AWS-AWSManagedRulesCommonRuleSet',
  Priority: 1,
  Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
  OverrideAction: { None: {} },
  VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'crs' },
});

function applied(rules: Rule[], id: string, scope: Scope): Rule[] {
  const result = applyOverride(rules, override(id, ['a'], scope));
  if (result.status !== 'changed')
    throw new Error(`${id}: ${result.status} ${'reason' in result ? result.reason : ''}`);
  return result.rules;
}

/** A raw log record with the given method, path and headers (for the WAF simulator). */
function request(method: string, uri: string, headers: Record<string, string>) {
  return {
    httpRequest: {
      httpMethod: method,
      uri,
      args: '',
      headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
    },
  };
}

describe('header conditions as WAF statements', () => {
  it('become a ByteMatch on SingleHeader each, lower-case name, no text transformation, all required', () => {
    const statement = scopeStatement(
      post({ headers: [LOGIN, { name: 'user-agent', match: 'STARTS_WITH', value: 'WordPress/' }] }),
    );
    const parts = statement?.AndStatement?.Statements ?? [];
    const headerParts = parts.filter((p) => p.ByteMatchStatement?.FieldToMatch.SingleHeader);
    expect(
      headerParts.map((p) => [
        p.ByteMatchStatement?.FieldToMatch.SingleHeader?.Name,
        p.ByteMatchStatement?.PositionalConstraint,
        decodeText(p.ByteMatchStatement?.SearchString ?? ''),
        p.ByteMatchStatement?.TextTransformations,
      ]),
    ).toEqual([
      ['cookie', 'CONTAINS', 'wordpress_logged_in_', [{ Priority: 0, Type: 'NONE' }]],
      ['user-agent', 'STARTS_WITH', 'WordPress/', [{ Priority: 0, Type: 'NONE' }]],
    ]);
    expect(model.validateShape('Statement', statement)).toEqual([]);
  });

  it('read back as written, apart from hosts (which lower-case the header), in a normalized order', () => {
    const scope = post({
      hosts: ['Shop.example'],
      headers: [
        { name: 'user-agent', match: 'ENDS_WITH', value: '(Mobile)' },
        { name: 'host', match: 'EXACTLY', value: 'shop.example' },
        LOGIN,
      ],
    });
    const statement = scopeStatement(scope);
    expect(statement && statementToScope(statement)).toEqual({
      paths: [{ match: 'STARTS_WITH', value: '/wp-json/wp/v2/posts/' }],
      methods: ['POST'],
      hosts: ['shop.example'],
      headers: [
        LOGIN,
        { name: 'host', match: 'EXACTLY', value: 'shop.example' },
        { name: 'user-agent', match: 'ENDS_WITH', value: '(Mobile)' },
      ],
    });
    // A scope of header conditions only is one ByteMatch, or an AND of them; an OR of them is not a scope.
    const only = scopeStatement({ headers: [LOGIN] });
    expect(only && statementToScopes(only)).toEqual([{ headers: [LOGIN] }]);
  });

  it('decide requests as WAF does: the condition on the real header, case-sensitive, missing header not met', () => {
    const statement = scopeStatement(post({ headers: [LOGIN] }));
    if (!statement) throw new Error('no statement');
    const saving = request('POST', '/wp-json/wp/v2/posts/7', {
      Cookie: 'wordpress_logged_in_abc=x; wp-settings-1=y',
    });
    expect(matches(statement, saving, [])).toBe(true);
    expect(matches(statement, request('POST', '/wp-json/wp/v2/posts/7', {}), [])).toBe(false);
    expect(
      matches(
        statement,
        request('POST', '/wp-json/wp/v2/posts/7', { Cookie: 'WORDPRESS_LOGGED_IN_abc=x' }),
        [],
      ),
    ).toBe(false);
    // Two Cookie headers are one value to WAF.
    expect(
      matches(
        statement,
        {
          httpRequest: {
            httpMethod: 'POST',
            uri: '/wp-json/wp/v2/posts/7',
            headers: [
              { name: 'cookie', value: 'a=1' },
              { name: 'cookie', value: 'wordpress_logged_in_abc=x' },
            ],
          },
        },
        [],
      ),
    ).toBe(true);
  });
});

describe('widening an override by a second scope with header conditions', () => {
  it('keeps two scopes that differ only in their headers apart: neither becomes wider than it was', () => {
    const mobile: HeaderMatch = { name: 'user-agent', match: 'STARTS_WITH', value: 'WordPress/' };
    let rules = applied([group()], 'ov-login', post({ headers: [LOGIN] }));
    rules = applied(rules, 'ov-app', post({ headers: [mobile] }));
    const found = findOverrideRule(rules, LABEL);
    const scopes = found?.exempt && statementToScopes(found.exempt);
    expect(scopes).toEqual([post({ headers: [LOGIN] }), post({ headers: [mobile] })]);
    const exempt = found?.exempt;
    if (!exempt) throw new Error('no exemption');
    const path = '/wp-json/wp/v2/posts/1';
    // Either set of conditions exempts; neither alone is asked of the other, and cookie-less spray stays out.
    expect(matches(exempt, request('POST', path, { Cookie: 'wordpress_logged_in_x=1' }), [])).toBe(true);
    expect(
      matches(exempt, request('POST', path, { 'User-Agent': 'WordPress/6.7; https://ci.example' }), []),
    ).toBe(true);
    expect(matches(exempt, request('POST', path, { 'User-Agent': 'python-requests/2.31' }), [])).toBe(false);
    expect(model.validateShape('Statement', exempt)).toEqual([]);
  });

  it('a scope without the condition covers one with it; a narrower condition adds nothing; paths still merge', () => {
    const wide = post();
    const narrow = post({ headers: [LOGIN] });
    expect(widenScopes([wide], narrow)).toBeUndefined();
    expect(widenScopes([narrow], wide)).toEqual([wide]);
    const narrower = post({ headers: [{ ...LOGIN, value: 'wordpress_logged_in_5f3a' }] });
    expect(widenScopes([narrow], narrower)).toBeUndefined();
    expect(widenScopes([narrower], narrow)).toEqual([narrow]);
    // Same conditions, other paths: one scope with both paths, the conditions kept.
    const pages: Scope = { ...narrow, paths: [{ match: 'STARTS_WITH', value: '/wp-json/wp/v2/pages/' }] };
    expect(widenScopes([narrow], pages)).toEqual([
      {
        methods: ['POST'],
        paths: [
          { match: 'STARTS_WITH', value: '/wp-json/wp/v2/pages/' },
          { match: 'STARTS_WITH', value: '/wp-json/wp/v2/posts/' },
        ],
        headers: [LOGIN],
      },
    ]);
  });

  it('re-applying an override with header conditions is a no-op', () => {
    const rules = applied([group()], 'ov-login', post({ headers: [LOGIN] }));
    expect(applyOverride(rules, override('ov-login', ['a'], post({ headers: [LOGIN] }))).status).toBe(
      'unchanged',
    );
  });

  it('implication between conditions follows what the constraints mean', () => {
    const c = (match: HeaderMatch['match'], value: string): HeaderMatch => ({ name: 'x', match, value });
    expect(conditionImplies(c('EXACTLY', 'abc'), c('STARTS_WITH', 'ab'))).toBe(true);
    expect(conditionImplies(c('EXACTLY', 'abc'), c('ENDS_WITH', 'bc'))).toBe(true);
    expect(conditionImplies(c('STARTS_WITH', 'abc'), c('CONTAINS', 'bc'))).toBe(true);
    expect(conditionImplies(c('STARTS_WITH', 'abc'), c('ENDS_WITH', 'c'))).toBe(false);
    expect(conditionImplies(c('CONTAINS', 'abc'), c('STARTS_WITH', 'a'))).toBe(false);
    expect(conditionImplies(c('CONTAINS', 'ab'), c('CONTAINS', 'abc'))).toBe(false);
    expect(conditionImplies(c('CONTAINS', 'abc'), { ...c('CONTAINS', 'abc'), name: 'y' })).toBe(false);
  });
});
