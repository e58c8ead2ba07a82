import { terminalSafe } from '../text/terminal.js';
import { decodeText } from './statements.js';
import type { Rule, RuleAction, RuleGroupStatementCommon, Statement } from './types.js';

/**
 * Rules as short readable lines, for plans, diffs and conflict explanations. Every value that can
 * come from a log (paths, hosts, labels) goes through `terminalSafe`: these lines are printed.
 */

const FIELD: Record<string, string> = {
  UriPath: 'uri path',
  Method: 'method',
  QueryString: 'query string',
  Body: 'body',
  AllQueryArguments: 'all query arguments',
  Cookies: 'cookies',
  Headers: 'headers',
  JsonBody: 'json body',
};

const CONSTRAINT: Record<string, string> = {
  EXACTLY: 'is',
  STARTS_WITH: 'starts with',
  ENDS_WITH: 'ends with',
  CONTAINS: 'contains',
  CONTAINS_WORD: 'contains word',
};

function quote(value: string): string {
  return `"${terminalSafe(value, 120).replaceAll('"', '\\"')}"`;
}

function fieldName(field: Record<string, unknown>): string {
  const key = Object.keys(field)[0] ?? '?';
  const value = field[key] as { Name?: string } | undefined;
  if (key === 'SingleHeader') return `header ${terminalSafe(value?.Name)}`;
  if (key === 'SingleQueryArgument') return `query argument ${terminalSafe(value?.Name)}`;
  return FIELD[key] ?? key;
}

function actionName(action: RuleAction | Record<string, unknown> | undefined): string {
  return action ? Object.keys(action).join('/') || '?' : '-';
}

function groupLines(kind: string, s: RuleGroupStatementCommon, pad: string): string[] {
  const lines = [`${pad}${kind}`];
  for (const o of s.RuleActionOverrides ?? [])
    lines.push(`${pad}  override ${terminalSafe(o.Name)} -> ${actionName(o.ActionToUse)}`);
  for (const e of s.ExcludedRules ?? []) lines.push(`${pad}  excluded ${terminalSafe(e.Name)}`);
  return lines;
}

export function describeStatement(s: Statement, depth = 0): string[] {
  const pad = '  '.repeat(depth);
  if (s.ByteMatchStatement) {
    const b = s.ByteMatchStatement;
    const transforms = b.TextTransformations.filter((t) => t.Type !== 'NONE').map((t) =>
      t.Type.toLowerCase(),
    );
    const suffix = transforms.length ? ` (${transforms.join(', ')})` : '';
    const field = fieldName(b.FieldToMatch as Record<string, unknown>);
    return [
      `${pad}${field} ${CONSTRAINT[b.PositionalConstraint] ?? b.PositionalConstraint} ${quote(decodeText(b.SearchString))}${suffix}`,
    ];
  }
  if (s.LabelMatchStatement) {
    const l = s.LabelMatchStatement;
    return [`${pad}${l.Scope === 'NAMESPACE' ? 'label namespace' : 'label'} ${terminalSafe(l.Key)}`];
  }
  if (s.AndStatement)
    return [`${pad}all of:`, ...s.AndStatement.Statements.flatMap((c) => describeStatement(c, depth + 1))];
  if (s.OrStatement)
    return [`${pad}any of:`, ...s.OrStatement.Statements.flatMap((c) => describeStatement(c, depth + 1))];
  if (s.NotStatement) return [`${pad}not:`, ...describeStatement(s.NotStatement.Statement, depth + 1)];
  if (s.IPSetReferenceStatement) {
    const set = ipSetNameFromArn(s.IPSetReferenceStatement.ARN);
    const f = s.IPSetReferenceStatement.IPSetForwardedIPConfig as
      | { HeaderName?: string; Position?: string; FallbackBehavior?: string }
      | undefined;
    if (!f) return [`${pad}source ip in IP set ${set}`];
    const position = (f.Position ?? '?').toLowerCase();
    const fallback =
      f.FallbackBehavior === 'MATCH' ? 'an invalid address matches' : 'no match without a valid one';
    return [
      `${pad}${position} address of header ${terminalSafe(f.HeaderName)} in IP set ${set} (${fallback})`,
    ];
  }
  if (s.ManagedRuleGroupStatement) {
    const m = s.ManagedRuleGroupStatement;
    const version = m.Version ? ` ${terminalSafe(m.Version)}` : '';
    const lines = groupLines(
      `managed rule group ${terminalSafe(m.VendorName)}#${terminalSafe(m.Name)}${version}`,
      m,
      pad,
    );
    if (m.ScopeDownStatement)
      lines.push(`${pad}  scope-down:`, ...describeStatement(m.ScopeDownStatement, depth + 2));
    return lines;
  }
  if (s.RuleGroupReferenceStatement) {
    return groupLines(
      `rule group ${terminalSafe(s.RuleGroupReferenceStatement.ARN)}`,
      s.RuleGroupReferenceStatement,
      pad,
    );
  }
  const key = Object.keys(s)[0] ?? 'empty statement';
  return [`${pad}${key} ${terminalSafe(JSON.stringify(s[key]), 100)}`];
}

export function ipSetNameFromArn(arn: string): string {
  const parts = arn.split('/');
  return terminalSafe(parts.length >= 3 ? parts[parts.length - 2] : arn);
}

/** Header line and statement lines of a rule (priority is shown separately by the diff). */
export function describeRule(rule: Rule): string[] {
  const action = rule.Action
    ? actionName(rule.Action)
    : rule.OverrideAction
      ? `group action ${actionName(rule.OverrideAction)}`
      : '-';
  return [`${terminalSafe(rule.Name)} -> ${action}`, ...describeStatement(rule.Statement, 1)];
}
