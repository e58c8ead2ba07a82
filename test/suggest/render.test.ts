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
});
