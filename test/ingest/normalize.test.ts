import { describe, expect, it } from 'vitest';
import { wafLogRecordSchema } from '../../schemas/waf-log.js';
import { normalize } from '../../src/ingest/normalize.js';
import { awsDocExampleLines } from '../support/vendored.js';

const examples = awsDocExampleLines().map((l) => wafLogRecordSchema.parse(JSON.parse(l)));

function record(overrides: Record<string, unknown> = {}, request: Record<string, unknown> = {}) {
  return wafLogRecordSchema.parse({
    timestamp: Date.UTC(2026, 10, 20, 10, 30),
    formatVersion: 1,
    webaclId: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/fleet-cf/0d1e',
    terminatingRuleId: 'AWS-AWSManagedRulesCommonRuleSet',
    terminatingRuleType: 'MANAGED_RULE_GROUP',
    action: 'BLOCK',
    httpSourceName: 'CF',
    ruleGroupList: [
      {
        ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
        terminatingRule: { ruleId: 'SizeRestrictions_BODY', action: 'BLOCK', ruleMatchDetails: null },
        nonTerminatingMatchingRules: [],
        excludedRules: null,
      },
    ],
    labels: [{ name: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' }],
    requestBodySize: 524288,
    requestBodySizeInspectedByWAF: 16384,
    httpRequest: {
      clientIp: '203.0.113.9',
      country: 'NL',
      headers: [
        { name: 'HOST', value: 'Shop.Example.com' },
        { name: 'user-agent', value: 'Mozilla/5.0' },
        {
          name: 'Cookie',
          value: 'wordpress_logged_in_abc=admin%7Csecret; wp-settings-1=x; wordpress_sec_abc=topsecret',
        },
      ],
      uri: '/wp-admin/async-upload.php',
      args: '',
      httpVersion: 'HTTP/2.0',
      httpMethod: 'POST',
      requestId: 'abc',
      ...request,
    },
    ...overrides,
  });
}

describe('normalize', () => {
  it('flattens a managed-rule block into one event with the group, rule, ACL and body size', () => {
    const e = normalize(record());
    expect(e).toMatchObject({
      dt: '2026-11-20',
      web_acl_name: 'fleet-cf',
      web_acl_region: 'us-east-1',
      web_acl_scope: 'CLOUDFRONT',
      account_id: '111122223333',
      host: 'shop.example.com',
      method: 'POST',
      path: '/wp-admin/async-upload.php',
      action: 'BLOCK',
      rule_action: 'BLOCK',
      acl_rule: 'AWS-AWSManagedRulesCommonRuleSet',
      rule_group: 'AWS#AWSManagedRulesCommonRuleSet',
      rule_id: 'SizeRestrictions_BODY',
      body_size: 524288,
      body_inspected: 16384,
      wp_session: true,
      cookie_redacted: false,
    });
  });

  it('keeps cookie names and never a cookie value', () => {
    const e = normalize(record());
    expect(e.cookie_names).toEqual(['wordpress_logged_in_abc', 'wp-settings-1', 'wordpress_sec_abc']);
    expect(JSON.stringify(e)).not.toMatch(/secret|admin%7C/);
  });

  it('knows when the Cookie header was redacted, which hides the session', () => {
    const e = normalize(
      record(
        {},
        {
          headers: [
            { name: 'cookie', value: 'REDACTED' },
            { name: 'Host', value: 'a.example' },
          ],
        },
      ),
    );
    expect(e).toMatchObject({ cookie_redacted: true, wp_session: false, cookie_names: [] });
  });

  it('keeps the right-most X-Forwarded-For address, and only when it is exactly an IP address', () => {
    const xff = (...values: string[]) =>
      normalize(
        record(
          {},
          {
            clientIp: '130.176.1.20',
            headers: values.map((value) => ({ name: 'X-Forwarded-For', value })),
          },
        ),
      );
    // The client wrote the left-hand entries; the CDN appended the last one.
    expect(xff('1.1.1.1, 203.0.113.50').forwarded_ip).toBe('203.0.113.50');
    expect(xff('9.9.9.9', '203.0.113.51').forwarded_ip).toBe('203.0.113.51');
    expect(xff('2001:DB8::7').forwarded_ip).toBe('2001:db8::7');
    for (const bad of [
      '203.0.113.50:443',
      '[2001:db8::7]',
      'unknown',
      '203.0.113.50, ',
      '010.1.2.3',
      'fe80::1%eth0',
    ])
      expect(xff(bad).forwarded_ip, bad).toBeNull();
    expect(normalize(record()).forwarded_ip).toBeNull();
  });

  it('marks a client address inside the shipped CloudFront ranges', () => {
    const at = (clientIp: string) => normalize(record({}, { clientIp })).client_cdn;
    expect(at('130.176.1.20')).toBe('cloudfront');
    expect(at('203.0.113.9')).toBeNull();
  });

  it('keeps the Authorization scheme and which identifying headers were sent, never their values', () => {
    const e = normalize(
      record(
        {},
        {
          headers: [
            { name: 'Authorization', value: 'Basic ZGVwbG95OnNlY3JldC1hcHAtcGFzc3dvcmQ=' },
            { name: 'Stripe-Signature', value: 't=1700000000,v1=secretsignature' },
            { name: 'X-WP-Nonce', value: 'a1b2c3d4e5' },
            { name: 'X-Custom', value: 'nothing' },
          ],
        },
      ),
    );
    expect(e).toMatchObject({ auth_scheme: 'basic', known_headers: ['stripe-signature', 'x-wp-nonce'] });
    expect(JSON.stringify(e)).not.toMatch(/ZGVwbG95|secretsignature|a1b2c3d4e5/);
    const scheme = (value: string) =>
      normalize(record({}, { headers: [{ name: 'authorization', value }] })).auth_scheme;
    expect(scheme('Bearer eyJhbGciOi')).toBe('bearer');
    expect(scheme('REDACTED')).toBe('redacted');
    expect(scheme('dXNlcjpwYXNz')).toBe('other');
    expect(normalize(record()).auth_scheme).toBeNull();
  });

  it('finds a rule that only counted (overridden to Count) when nothing terminated', () => {
    const e = normalize(
      record({
        terminatingRuleId: 'Default_Action',
        terminatingRuleType: 'REGULAR',
        action: 'ALLOW',
        ruleGroupList: [
          {
            ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
            terminatingRule: null,
            nonTerminatingMatchingRules: [
              { ruleId: 'SizeRestrictions_BODY', action: 'COUNT', overriddenAction: 'BLOCK' },
            ],
            excludedRules: null,
          },
        ],
      }),
    );
    expect(e).toMatchObject({
      action: 'ALLOW',
      rule_action: 'COUNT',
      rule_group: 'AWS#AWSManagedRulesCommonRuleSet',
      rule_id: 'SizeRestrictions_BODY',
      counted_rules: ['AWS#AWSManagedRulesCommonRuleSet|SizeRestrictions_BODY'],
    });
  });

  it("handles AWS's examples: a web ACL's own rule, a rule group ARN, an empty URI, requestId null", () => {
    const events = examples.map(normalize);
    expect(events[0]).toMatchObject({
      rule_group: null,
      rule_id: 'STMTest_SQLi_XSS',
      matched_data: '10 AND 1',
      condition_type: 'SQL_INJECTION',
    });
    expect(events[2]).toMatchObject({
      rule_group: expect.stringContaining('/rulegroup/hello-world/'),
      rule_id: 'RuleA-XSS',
    });
    expect(events[1]).toMatchObject({ action: 'ALLOW', rule_action: 'COUNT', rule_id: 'TestRule' });
    expect(events.some((e) => e.path === '')).toBe(true);
    expect(events.some((e) => e.request_id === null)).toBe(true);
    expect(events.some((e) => e.rule_action === 'CAPTCHA')).toBe(true);
  });

  it('reads httpSourceName "-" (no source, as in AWS examples) as no source', () => {
    expect(examples[0]?.httpSourceName).toBe('-');
    expect(normalize(examples[0] as (typeof examples)[number]).source).toBeNull();
    expect(normalize(record({ httpSourceName: 'CF' })).source).toBe('CF');
  });

  it('trims the host, from httpRequest.host and from the Host header it falls back to', () => {
    expect(normalize(record({}, { host: '  Shop.Example.com \t' })).host).toBe('shop.example.com');
    const fromHeader = record({}, { headers: [{ name: 'Host', value: ' a.Example.org\r' }] });
    expect(normalize(fromHeader).host).toBe('a.example.org');
    const blank = record({}, { host: '   ', headers: [{ name: 'host', value: 'b.example.org ' }] });
    expect(normalize(blank).host).toBe('b.example.org');
  });

  it('bounds attacker-sized fields', () => {
    const e = normalize(record({}, { uri: `/${'a'.repeat(100_000)}`, args: 'x'.repeat(100_000) }));
    expect(e.path.length).toBeLessThanOrEqual(4096);
    expect(e.query.length).toBeLessThanOrEqual(4096);
  });
});
