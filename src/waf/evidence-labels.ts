import { LABEL_WP_LOGGED_IN, WP_LOGGED_IN_COOKIE } from '../../schemas/waftune-labels.js';
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
 * One rule is enough (10 WCU, a CONTAINS byte match): measured on generated fleets, the login
 * cookie is the only evidence that dropping ALLOW records and redacting cookies takes away from
 * the signals. A request that sends no Cookie header at all still shows that after redaction, and
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

export const EVIDENCE_RULES: readonly EvidenceRule[] = [
  {
    name: `${EVIDENCE_RULE_PREFIX}wp-logged-in`,
    label: LABEL_WP_LOGGED_IN,
    purpose: 'labels requests with a WordPress login cookie, whatever the log redacts',
    // The very statement an override's `cookie CONTAINS wordpress_logged_in_` condition becomes, so
    // the label says exactly whether that condition was met.
    statement: {
      ByteMatchStatement: {
        SearchString: encodeText(WP_LOGGED_IN_COOKIE),
        FieldToMatch: { SingleHeader: { Name: 'cookie' } },
        TextTransformations: NONE,
        PositionalConstraint: 'CONTAINS',
      },
    },
  },
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
    : { status: 'unchanged', reason: 'the evidence rule is in place' };
}
