import { describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS } from '../../fixtures/hostile.js';
import type { Report } from '../../schemas/report.js';
import type { IpBlock, RuleOverride } from '../../schemas/suggestion.js';
import { renderReport } from '../../src/analyze/render-text.js';
import { renderSuggestions } from '../../src/suggest/render-text.js';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('waftune suggest, printed', () => {
  it('shows every log-derived value inert on the terminal', () => {
    for (const h of HOSTILE_STRINGS) {
      const sample = {
        time: h,
        webAcl: h,
        host: h,
        clientIp: h,
        method: h,
        uri: h,
        userAgent: h,
        verdict: h,
      };
      const override: RuleOverride = {
        id: 'ovr-0123456789',
        kind: 'rule-override',
        ruleGroup: h,
        ruleId: h,
        label: h,
        scope: {
          methods: [h],
          paths: [{ match: 'STARTS_WITH', value: h }],
          query: { match: 'CONTAINS', value: h },
          hosts: [h],
          headers: [{ name: h, match: 'CONTAINS', value: h }],
        },
        webAcls: [h],
        confidence: 0.5,
        evidence: {
          blockedRequests: 1,
          distinctIps: 1,
          sites: 1,
          loggedInShare: null,
          ipsWithAdminWork: 0,
          hostsSample: [h],
          samples: [sample],
        },
        impact: { wouldAllow: 1, wouldAllowFromAttackers: 0, stillBlockedByIpBlocks: 0 },
        reasons: [h],
      };
      const block: IpBlock = {
        id: 'ipb-0123456789',
        kind: 'ip-block',
        addresses: [h],
        forwardedIpConfig: { headerName: h, position: 'LAST', fallbackBehavior: 'NO_MATCH', webAcls: [h] },
        expiresAfterDays: 7,
        confidence: 0.9,
        evidence: {
          requests: 1,
          blockedRequests: 1,
          sites: 1,
          webAcls: [h],
          signals: [h],
          userAgents: [h],
          samples: [sample],
        },
        reasons: [h],
      };
      const out = renderSuggestions(
        {
          window: { from: h, to: h },
          suggestions: [override, block],
          notSuggested: [{ ruleId: h, path: h, requests: 1, why: h }],
          sparedSources: [{ clientIp: h, attackRequests: 1, why: h }],
        },
        { color: false, savedTo: h },
      );
      expect(out.replace(/\n/g, ''), JSON.stringify(h.slice(0, 40))).not.toMatch(CONTROL);

      const report: Report = {
        version: 1,
        window: { from: h, to: h },
        input: {
          files: 1,
          bytes: 1,
          lines: 1,
          events: 1,
          rejected: 1,
          rejectsFile: h,
          rejectedByReason: { [h]: 1 },
          rejectedSamples: [{ file: h, line: 1, reason: h, excerpt: h }],
          concatenated: [{ file: h, lines: 1, records: 2, firstLine: 1 }],
        },
        fleet: { events: 2, webAcls: 1, sites: 1, clientIps: 1 },
        totals: {
          byAction: { [h]: 1 },
          countedRequests: 1,
          classified: 1,
          byVerdict: { 'likely-false-positive': 1, 'likely-attack': 0, uncertain: 0 },
        },
        topRules: [{ ruleGroup: h, ruleId: h, action: h, requests: 1, clientIps: 1, sites: 1 }],
        topBlockedPaths: [{ host: h, path: h, requests: 1, clientIps: 1, topRule: h }],
        falsePositiveCandidates: [
          {
            ruleGroup: h,
            ruleId: h,
            method: h,
            path: h,
            requests: 1,
            clientIps: 1,
            sites: 1,
            webAcls: [h],
            hosts: [h],
            loggedInShare: null,
            signals: [h],
            reasons: [h],
          },
        ],
        attackSources: [
          {
            clientIp: h,
            requests: 1,
            sites: 1,
            webAcls: 1,
            rules: [h],
            signals: [h],
            reasons: [h],
            userAgent: h,
            samplePaths: [h],
          },
        ],
        suggestions: [override, block],
        notSuggested: [{ ruleId: h, path: h, requests: 1, why: h }],
        sparedSources: [{ clientIp: h, attackRequests: 1, why: h }],
      };
      const text = renderReport(report, { color: false });
      expect(text.replace(/\n/g, ''), JSON.stringify(h.slice(0, 40))).not.toMatch(CONTROL);
    }
  });

  it('shows header conditions and forwarded-address blocks', () => {
    const acl =
      'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/shop-alb/0f6c2b0e-3b1a-4c1e-9a7e-2a1d3c4b5e6f';
    const base = {
      confidence: 0.9,
      reasons: [],
    };
    const out = renderSuggestions(
      {
        window: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' },
        suggestions: [
          {
            ...base,
            id: 'ovr-1',
            kind: 'rule-override',
            ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
            ruleId: 'CrossSiteScripting_BODY',
            label: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
            scope: {
              methods: ['POST'],
              paths: [{ match: 'STARTS_WITH', value: '/wp-json/wp/v2/posts/' }],
              headers: [{ name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in_' }],
            },
            webAcls: [acl],
            evidence: {
              blockedRequests: 9,
              distinctIps: 3,
              sites: 2,
              loggedInShare: 1,
              ipsWithAdminWork: 3,
              hostsSample: [],
              samples: [],
            },
            impact: { wouldAllow: 9, wouldAllowFromAttackers: 0, stillBlockedByIpBlocks: 0 },
          },
          {
            ...base,
            id: 'ipb-1',
            kind: 'ip-block',
            addresses: ['2001:db8:1:2::/64'],
            forwardedIpConfig: {
              headerName: 'X-Forwarded-For',
              position: 'LAST',
              fallbackBehavior: 'NO_MATCH',
              webAcls: [acl],
            },
            expiresAfterDays: 7,
            evidence: {
              requests: 9,
              blockedRequests: 9,
              sites: 4,
              webAcls: [acl],
              signals: [],
              userAgents: [],
              samples: [],
            },
          },
        ],
        notSuggested: [],
        sparedSources: [],
      },
      { color: false, savedTo: null },
    );
    expect(out).toContain(
      'CrossSiteScripting_BODY to Count for POST /wp-json/wp/v2/posts/* with cookie containing wordpress_logged_in_',
    );
    expect(out).toContain(
      '  only when header cookie contains "wordpress_logged_in_" (every header condition must be met)',
    );
    expect(out).toContain(
      'block 2001:db8:1:2::/64 for 7 days (attack evidence on 4 site(s); by X-Forwarded-For on 1 web ACL(s) behind a CDN)',
    );
    expect(out).toContain(
      '  behind a CDN on shop-alb: also matched by the last address in X-Forwarded-For (no match without a valid one); the client address everywhere',
    );
  });
});
