import {
  AUTH_SCHEMES,
  COMMENTER_COOKIE,
  SESSION_COOKIES,
  type SessionCookie,
  WOO_SESSION_COOKIE,
  WP_LOGGED_IN_COOKIE,
} from '../../schemas/waftune-labels.js';
import type { MutationResult } from './mutation.js';
import { EVIDENCE_RULE_PREFIX } from './names.js';
import { byPriority, insertFirst } from './priorities.js';
import { encodeText } from './statements.js';
import type { Rule, RuleBody, Statement } from './types.js';

/**
 * The evidence rules `waftune connect` puts at the top of each web ACL: Count rules that only add
 * a label (schemas/waftune-labels.ts), so that the logging filter can keep the ALLOW records the
 * signals need and the events carry what the redacted Cookie header no longer shows. WAF inspects
 * the real header; the log only loses it. Count never ends a request's evaluation, so the rules
 * change nothing the web ACL decides.
 *
 * One rule per tracked session cookie (10 WCU each, a CONTAINS byte match): the login cookie
 * (editors' admin work, `ip-admin-work`, `wp-session`, the login condition of an override), the
 * WooCommerce session (a shopper's cart and checkout pages, so a blocked checkout is not taken for
 * a one-shot source's, and the cart cookie condition of a checkout override stays decidable) and
 * the commenter cookie (a returning commenter's visits); and one per Authorization scheme an
 * override names (2 WCU each, STARTS_WITH): an integration's authenticated reads (what shows it is
 * one, `ip-integration`) and the scheme its override requires. Measured on generated fleets, these
 * are the histories that dropping ALLOW records and redacting Cookie and Authorization takes away
 * from the replay and the signals. A request that sends no Cookie header at all still shows that after redaction, and
 * monitors are judged by their blocked requests, which the filter keeps (README, "In the cloud").
 */

const NONE = [{ Priority: 0, Type: 'NONE' }];

export interface EvidenceRule {
  name: string;
  label: string;
  /** Why the rule exists, for people reading the plan. */
  purpose: string;
  statement: Statement;
}

const PURPOSE: Readonly<Record<SessionCookie, string>> = {
  [WP_LOGGED_IN_COOKIE]: 'labels requests with a WordPress login cookie, whatever the log redacts',
  [WOO_SESSION_COOKIE]: "labels requests with a WooCommerce session cookie (a shopper's cart and checkout)",
  [COMMENTER_COOKIE]: "labels requests with WordPress's commenter cookie (a returning commenter)",
};

const ruleName = (label: string) => `${EVIDENCE_RULE_PREFIX}${label.slice(label.indexOf(':') + 1)}`;

export const EVIDENCE_RULES: readonly EvidenceRule[] = [
  ...SESSION_COOKIES.map(({ cookie, label }) => ({
    name: ruleName(label),
    label,
    purpose: PURPOSE[cookie],
    // The very statement an override's `cookie CONTAINS <cookie>` condition becomes, so the label
    // says exactly whether that condition was met.
    statement: {
      ByteMatchStatement: {
        SearchString: encodeText(cookie),
        FieldToMatch: { SingleHeader: { Name: 'cookie' } },
        TextTransformations: NONE,
        PositionalConstraint: 'CONTAINS',
      },
    },
  })),
  ...AUTH_SCHEMES.map(({ prefix, label }) => ({
    name: ruleName(label),
    label,
    purpose: `labels requests whose Authorization header starts with "${prefix}" (an application password or token), whatever the log redacts`,
    // The statement an integration's `authorization STARTS_WITH "<prefix>"` condition becomes.
    statement: {
      ByteMatchStatement: {
        SearchString: encodeText(prefix),
        FieldToMatch: { SingleHeader: { Name: 'authorization' } },
        TextTransformations: NONE,
        PositionalConstraint: 'STARTS_WITH',
      },
    },
  })),
];

export function evidenceRuleBody(rule: EvidenceRule): RuleBody {
  return {
    Name: rule.name,
    Statement: rule.statement,
    Action: { Count: {} },
    RuleLabels: [{ Name: rule.label }],
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: rule.name },
  };
}

function sameRule(a: Rule, b: RuleBody): boolean {
  return (
    JSON.stringify([a.Statement, a.Action, a.RuleLabels]) ===
    JSON.stringify([b.Statement, b.Action, b.RuleLabels])
  );
}

/**
 * Puts the evidence rules first in the web ACL, before waftune's IP block rules (a blocked request
 * is labelled too, so its classification reads the same facts). A rule already there as written is
 * left alone; one someone changed is put back as it should be, where it is.
 */
export function ensureEvidenceRules(rules: readonly Rule[]): MutationResult {
  let next = byPriority(rules);
  let changed = false;
  // Last first, each inserted at the top, so they end up in EVIDENCE_RULES order.
  for (const rule of [...EVIDENCE_RULES].reverse()) {
    const body = evidenceRuleBody(rule);
    const existing = next.find((r) => r.Name === rule.name);
    if (existing && sameRule(existing, body)) continue;
    changed = true;
    if (existing) next = next.map((r) => (r === existing ? { ...body, Priority: existing.Priority } : r));
    else next = insertFirst(next, body);
  }
  return changed
    ? { status: 'changed', rules: next }
    : { status: 'unchanged', reason: 'the evidence rules are in place' };
}
