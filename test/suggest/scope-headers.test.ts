import { describe, expect, it } from 'vitest';
import type { RuleOverride, Scope } from '../../schemas/suggestion.js';
import type { FinalGroup } from '../../src/analyze/fleet.js';
import { processRecord } from '../../src/ingest/process.js';
import { withinScope } from '../../src/notify/spikes.js';
import { ipBlockMatcher } from '../../src/suggest/ip-match.js';
import { replayOverride } from '../../src/suggest/replay.js';
import {
  decideHeader,
  eventRequest,
  type HeaderFacts,
  scopeDecision,
  scopeMatches,
} from '../../src/suggest/scope.js';

/**
 * Header conditions decided from what an event keeps, as WAF would decide them on the request, and
 * which way each caller takes what the event cannot tell.
 */

const LOGIN = { name: 'cookie', match: 'CONTAINS' as const, value: 'wordpress_logged_in_' };
const scope: Scope = {
  methods: ['POST'],
  paths: [{ match: 'STARTS_WITH', value: '/wp-json/wp/v2/posts/' }],
  headers: [LOGIN],
};
const base = { method: 'POST', path: '/wp-json/wp/v2/posts/9', query: '', host: 'blog.example' };
const ev = (facts: Omit<HeaderFacts, 'host'>) => eventRequest({ ...base, ...facts });

describe('header conditions against what an event knows', () => {
  it('cookie: decided from the cookie names; no Cookie header is not met; values are never needed', () => {
    expect(
      scopeDecision(
        scope,
        ev({ cookie_names: ['wordpress_logged_in_5f3a', 'wp-settings-1'], cookie_redacted: false }),
      ),
    ).toBe('met');
    expect(scopeDecision(scope, ev({ cookie_names: ['PHPSESSID'], cookie_redacted: false }))).toBe('not-met');
    expect(scopeDecision(scope, ev({ cookie_names: [], cookie_redacted: false }))).toBe('not-met');
    // 40 names is where the event stops keeping them: the login cookie may be the 41st.
    const many = Array.from({ length: 40 }, (_, i) => `c${i}`);
    expect(scopeDecision(scope, ev({ cookie_names: many, cookie_redacted: false }))).toBe('unknown');
    // A condition reaching into a value (`=`) cannot be decided from names.
    const valued: Scope = {
      headers: [{ name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in_x=admin' }],
    };
    expect(
      scopeDecision(valued, ev({ cookie_names: ['wordpress_logged_in_x'], cookie_redacted: false })),
    ).toBe('unknown');
    expect(
      decideHeader(
        { name: 'cookie', match: 'STARTS_WITH', value: 'wp-settings' },
        ev({ cookie_names: ['wp-settings-1', 'a'] }).header('cookie'),
      ),
    ).toBe('met');
    expect(
      decideHeader(
        { name: 'cookie', match: 'ENDS_WITH', value: 'x' },
        ev({ cookie_names: ['a'] }).header('cookie'),
      ),
    ).toBe('unknown');
  });

  it('a redacted Cookie: the evidence label says a login cookie was there; without it nothing is known', () => {
    expect(scopeDecision(scope, ev({ cookie_names: [], cookie_redacted: true, wp_session: true }))).toBe(
      'met',
    );
    expect(scopeDecision(scope, ev({ cookie_names: [], cookie_redacted: true, wp_session: false }))).toBe(
      'unknown',
    );
    // The label is the very ByteMatch of the condition: it implies weaker conditions, not stronger ones.
    const weaker: Scope = { headers: [{ name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in' }] };
    const stronger: Scope = {
      headers: [{ name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in_5f3a' }],
    };
    expect(scopeDecision(weaker, ev({ cookie_names: [], cookie_redacted: true, wp_session: true }))).toBe(
      'met',
    );
    expect(scopeDecision(stronger, ev({ cookie_names: [], cookie_redacted: true, wp_session: true }))).toBe(
      'unknown',
    );
  });

  it('the normalization turns the label on a redacted record into that knowledge', () => {
    const record = (labels: string[]) => ({
      timestamp: Date.UTC(2026, 0, 1),
      formatVersion: 1,
      webaclId: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/site/abc',
      terminatingRuleId: 'AWS-AWSManagedRulesCommonRuleSet',
      terminatingRuleType: 'MANAGED_RULE_GROUP',
      action: 'BLOCK',
      ruleGroupList: [
        {
          ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
          terminatingRule: { ruleId: 'CrossSiteScripting_BODY', action: 'BLOCK' },
        },
      ],
      nonTerminatingMatchingRules: labels.length
        ? [{ ruleId: 'waftune-evidence-wp-logged-in', action: 'COUNT', ruleMatchDetails: [] }]
        : [],
      labels: labels.map((name) => ({ name })),
      httpRequest: {
        clientIp: '198.51.100.7',
        country: 'NL',
        uri: '/wp-json/wp/v2/posts/9',
        args: '',
        httpMethod: 'POST',
        headers: [
          { name: 'Host', value: 'blog.example' },
          { name: 'Cookie', value: 'REDACTED' },
        ],
      },
    });
    const labelled = processRecord(record(['awswaf:111122223333:webacl:site:waftune:wp-logged-in']));
    const bare = processRecord(record([]));
    if (!labelled.ok || !bare.ok) throw new Error('records do not parse');
    expect(labelled.event).toMatchObject({
      wp_session: true,
      cookie_redacted: true,
      rule_id: 'CrossSiteScripting_BODY',
    });
    // The evidence rule only counts: it is never taken for the rule that acted.
    expect(labelled.event.counted_rules).toEqual([]);
    expect(bare.event).toMatchObject({ wp_session: false, cookie_redacted: true });
    expect(scopeDecision(scope, eventRequest(labelled.event))).toBe('met');
    expect(scopeDecision(scope, eventRequest(bare.event))).toBe('unknown');
    // A rule group's label with the same tail is someone else's.
    const foreign = processRecord(record(['awswaf:111122223333:rulegroup:theirs:waftune:wp-logged-in']));
    expect(foreign.ok && foreign.event.wp_session).toBe(false);
  });

  it('user-agent and referer: the value as logged (cut ones decided on their start), null when not sent', () => {
    const ua: Scope = { headers: [{ name: 'user-agent', match: 'STARTS_WITH', value: 'WordPress/' }] };
    expect(scopeDecision(ua, ev({ user_agent: 'WordPress/6.7; https://example.org' }))).toBe('met');
    expect(scopeDecision(ua, ev({ user_agent: 'wordpress/6.7' }))).toBe('not-met');
    expect(scopeDecision(ua, ev({ user_agent: null }))).toBe('not-met');
    const long = `WordPress/${'x'.repeat(1014)}`;
    expect(long.length).toBe(1024);
    const ends: Scope = { headers: [{ name: 'user-agent', match: 'ENDS_WITH', value: 'x' }] };
    expect(scopeDecision(ua, ev({ user_agent: long }))).toBe('met');
    expect(scopeDecision(ends, ev({ user_agent: long }))).toBe('unknown');
    const ref: Scope = { headers: [{ name: 'referer', match: 'CONTAINS', value: '/wp-admin/' }] };
    expect(scopeDecision(ref, ev({ referer: 'https://blog.example/wp-admin/post.php' }))).toBe('met');
    // Query rows do not carry the Referer: nothing is known.
    expect(scopeDecision(ref, ev({}))).toBe('unknown');
    // Headers events do not keep at all.
    const auth: Scope = { headers: [{ name: 'authorization', match: 'STARTS_WITH', value: 'Basic ' }] };
    expect(scopeDecision(auth, ev({ user_agent: 'x' }))).toBe('unknown');
  });

  it('host: the lower-cased Host the event keeps', () => {
    const host: Scope = { headers: [{ name: 'host', match: 'ENDS_WITH', value: '.example' }] };
    expect(scopeDecision(host, ev({}))).toBe('met');
    expect(
      scopeDecision({ headers: [{ name: 'host', match: 'EXACTLY', value: 'Blog.example' }] }, ev({})),
    ).toBe('unknown');
    expect(
      scopeDecision({ headers: [{ name: 'host', match: 'EXACTLY', value: 'Other.example' }] }, ev({})),
    ).toBe('not-met');
  });

  it('each caller decides which way an undecidable condition goes', () => {
    const unknown = ev({ cookie_names: [], cookie_redacted: true, wp_session: false });
    expect(scopeMatches(scope, unknown, 'met')).toBe(true);
    expect(scopeMatches(scope, unknown, 'not-met')).toBe(false);
    // Other parts still decide first.
    expect(scopeMatches(scope, { ...unknown, method: 'GET' }, 'met')).toBe(false);
  });
});

describe('the callers', () => {
  const group = (over: Partial<FinalGroup>): FinalGroup =>
    ({
      web_acl_arn: 'acl',
      host: 'blog.example',
      client_ip: '198.51.100.7',
      method: 'POST',
      path: '/wp-json/wp/v2/posts/9',
      query: '',
      rule_action: 'BLOCK',
      rule_group: 'AWS#AWSManagedRulesCommonRuleSet',
      rule_id: 'CrossSiteScripting_BODY',
      user_agent: 'Mozilla/5.0',
      cookie_names: [],
      wp_session: false,
      cookie_redacted: false,
      requests: 1,
      ...over,
    }) as FinalGroup;
  const target: Pick<RuleOverride, 'ruleGroup' | 'ruleId' | 'scope' | 'webAcls'> = {
    ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
    ruleId: 'CrossSiteScripting_BODY',
    scope,
    webAcls: ['acl'],
  };

  it('the replay counts what the condition keeps out as blocked, and what it cannot tell as let through', () => {
    const groups = [
      group({ client_ip: 'editor', cookie_names: ['wordpress_logged_in_x'], requests: 5 }),
      group({ client_ip: 'spray', requests: 40 }),
      group({ client_ip: 'redacted', cookie_redacted: true, requests: 3 }),
      group({ client_ip: 'redacted-editor', cookie_redacted: true, wp_session: true, requests: 2 }),
    ];
    const { impact } = replayOverride(target, groups, {
      attackSources: new Set(['spray', 'redacted']),
      ipBlocks: ipBlockMatcher([]),
      ips: new Map(),
    });
    expect(impact).toEqual({ wouldAllow: 5 + 3 + 2, wouldAllowFromAttackers: 3, stillBlockedByIpBlocks: 0 });
  });

  it('an alert counts only blocks the applied override is known to let through', () => {
    const s = {
      host: 'blog.example',
      ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
      ruleId: 'CrossSiteScripting_BODY',
      path: '/wp-json/wp/v2/posts/{id}',
      falsePositives: [0, 0],
      blocked: [7, 3],
      requests: [
        {
          ...base,
          bucket: 0,
          blocked: 5,
          falsePositives: 0,
          headers: { cookie_names: [], cookie_redacted: false },
        },
        {
          ...base,
          bucket: 0,
          blocked: 2,
          falsePositives: 0,
          headers: { cookie_names: [], cookie_redacted: true },
        },
        {
          ...base,
          bucket: 1,
          blocked: 3,
          falsePositives: 0,
          headers: { cookie_names: ['wordpress_logged_in_x'], cookie_redacted: false },
        },
      ],
    };
    expect(withinScope(scope, s)?.blocked).toEqual([0, 3]);
  });
});
