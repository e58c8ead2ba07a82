import { describe, expect, it } from 'vitest';
import { pathKey, pathPrefix } from '../../src/classify/path-key.js';
import { createIpGuard, hostCidr } from '../../src/suggest/ip-guard.js';
import { labelForRule } from '../../src/suggest/labels.js';
import { scopeMatches as decide, eventRequest, sharedQueryCondition } from '../../src/suggest/scope.js';

const req = (over: Partial<{ method: string; path: string; query: string; host: string }> = {}) =>
  eventRequest({
    method: 'POST',
    path: '/wp-json/wp/v2/posts/123',
    query: '_locale=user',
    host: 'shop.example.com',
    ...over,
  });
// Scopes without header conditions are always decidable: which way an undecidable one goes does not matter.
const scopeMatches = (scope: Parameters<typeof decide>[0], r: Parameters<typeof decide>[1]) =>
  decide(scope, r, 'not-met');

describe('scope semantics (as the WAF statement decides them)', () => {
  it('meets every part given; a paths part is met by any listed path', () => {
    const scope = {
      methods: ['POST'],
      paths: [
        { match: 'STARTS_WITH' as const, value: '/wp-json/wp/v2/posts/' },
        { match: 'EXACTLY' as const, value: '/wp-admin/post.php' },
      ],
    };
    expect(scopeMatches(scope, req())).toBe(true);
    expect(scopeMatches(scope, req({ path: '/wp-admin/post.php' }))).toBe(true);
    expect(scopeMatches(scope, req({ path: '/wp-admin/post.php/x' }))).toBe(false);
    expect(scopeMatches(scope, req({ method: 'GET' }))).toBe(false);
    expect(scopeMatches(scope, req({ path: '/wp-json/wp/v2/users/1' }))).toBe(false);
  });

  it('matches query conditions on the raw query string and hosts on the lower-cased Host', () => {
    const scope = {
      paths: [{ match: 'EXACTLY' as const, value: '/' }],
      query: { match: 'CONTAINS' as const, value: 'wc-ajax=checkout' },
      hosts: ['shop.example.com'],
    };
    expect(scopeMatches(scope, req({ path: '/', query: 'wc-ajax=checkout' }))).toBe(true);
    expect(scopeMatches(scope, req({ path: '/', query: 'wc-ajax=checkout', host: 'SHOP.example.com' }))).toBe(
      true,
    );
    expect(scopeMatches(scope, req({ path: '/', query: 'wc-ajax=update_order_review' }))).toBe(false);
    expect(scopeMatches(scope, req({ path: '/', query: 'wc-ajax=checkout', host: 'other.example' }))).toBe(
      false,
    );
  });

  it('finds the query parameter that names what a request to / does, raw as WAF sees it', () => {
    expect(sharedQueryCondition(['wc-ajax=checkout', 'wc-ajax=checkout&x=1'])).toEqual({
      match: 'CONTAINS',
      value: 'wc-ajax=checkout',
    });
    expect(sharedQueryCondition(['rest_route=%2Fwp%2Fv2%2Fposts', 'rest_route=%2Fwp%2Fv2%2Fposts'])).toEqual({
      match: 'CONTAINS',
      value: 'rest_route=%2Fwp%2Fv2%2Fposts',
    });
    expect(sharedQueryCondition(['wc-ajax=checkout', 'p=12'])).toBeNull();
    // Plain permalinks: the block editor saves to /?rest_route=/wp/v2/posts/<id>.
    expect(
      sharedQueryCondition(['rest_route=/wp/v2/posts/12&_locale=user', 'rest_route=/wp/v2/posts/3077']),
    ).toEqual({
      match: 'CONTAINS',
      value: 'rest_route=/wp/v2/posts/',
    });
    expect(
      sharedQueryCondition(['rest_route=%2Fwp%2Fv2%2Fpages%2F9', 'rest_route=%2Fwp%2Fv2%2Fpages%2F41']),
    ).toEqual({
      match: 'CONTAINS',
      value: 'rest_route=%2Fwp%2Fv2%2Fpages%2F',
    });
    // Two routes that share only /wp/ are two different things: no condition.
    expect(sharedQueryCondition(['rest_route=/wp/v2/posts/1', 'rest_route=/wp/v2/users/1'])).toBeNull();
    expect(sharedQueryCondition(["action=x'%20or%201=1", "action=x'%20or%201=1"])).toBeNull();
  });

  it('folds ids out of paths: a STARTS_WITH only where paths carry ids', () => {
    expect(pathKey('/wp-json/wp/v2/posts/123')).toBe('/wp-json/wp/v2/posts/{id}');
    expect(pathKey('/wp-json/wp/v2/posts/123/autosaves')).toBe('/wp-json/wp/v2/posts/{id}/autosaves');
    expect(pathPrefix(pathKey('/wp-json/wp/v2/posts/123/autosaves'))).toBe('/wp-json/wp/v2/posts/');
    expect(pathKey('/wp-admin/async-upload.php')).toBe('/wp-admin/async-upload.php');
  });
});

describe('labels', () => {
  it('maps upper-case rule ids to the mixed-case labels managed rules add', () => {
    expect(labelForRule('AWS#AWSManagedRulesCommonRuleSet', 'SizeRestrictions_BODY', [])).toBe(
      'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body',
    );
    expect(labelForRule('AWS#AWSManagedRulesCommonRuleSet', 'SizeRestrictions_Cookie_HEADER', [])).toBe(
      'awswaf:managed:aws:core-rule-set:SizeRestrictions_Cookie_Header',
    );
    expect(labelForRule('AWS#AWSManagedRulesSQLiRuleSet', 'SQLi_QUERYARGUMENTS', [])).toBe(
      'awswaf:managed:aws:sql-database:SQLi_QueryArguments',
    );
    expect(labelForRule('AWS#AWSManagedRulesCommonRuleSet', 'GenericRFI_URIPATH', [])).toBe(
      'awswaf:managed:aws:core-rule-set:GenericRFI_URIPath',
    );
  });

  it('prefers the label seen in the logs, and knows none for a group it cannot name', () => {
    expect(
      labelForRule('AWS#AWSManagedRulesWordPressRuleSet', 'WordPressExploitableCommands_QUERYSTRING', [
        'awswaf:managed:aws:wordpress-app:WordPressExploitableCommands_QUERYSTRING',
      ]),
    ).toBe('awswaf:managed:aws:wordpress-app:WordPressExploitableCommands_QUERYSTRING');
    expect(labelForRule('Vendor#SomeGroup', 'X_BODY', [])).toBeNull();
  });
});

describe('never-block guard', () => {
  const guard = createIpGuard(['81.2.76.0/24', '2001:db8:aa::1']);
  it('refuses private, reserved and infrastructure addresses and the allowlist', () => {
    expect(guard.whyNot('10.0.3.7')).toMatch(/private/);
    expect(guard.whyNot('172.16.51.10')).toMatch(/private/);
    expect(guard.whyNot('100.64.1.1')).toMatch(/carrierGradeNat/);
    expect(guard.whyNot('127.0.0.1')).toMatch(/loopback/);
    expect(guard.whyNot('::ffff:192.168.1.1')).toMatch(/private/);
    expect(guard.whyNot('81.2.76.202')).toMatch(/allowlist/);
    expect(guard.whyNot('not-an-ip')).toMatch(/valid/);
    expect(guard.whyNot('45.148.10.77')).toBeNull();
    expect(guard.whyNot('198.18.0.9')).toMatch(/reserved/);
    // Documentation ranges stand for public clients in examples and test fleets.
    expect(guard.whyNot('203.0.113.7')).toBeNull();
    expect(guard.whyNot('2001:db8::7')).toBeNull();
  });
  it('writes host CIDRs for the IP set', () => {
    expect(hostCidr('45.148.10.77')).toBe('45.148.10.77/32');
    expect(hostCidr('2a01:4f8::1')).toBe('2a01:4f8:0:0:0:0:0:1/128');
  });
});
