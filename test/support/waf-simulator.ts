import ipaddr from 'ipaddr.js';
import type { LoggingConfiguration } from '../../src/waf/logging-config.js';
import { decodeText } from '../../src/waf/statements.js';
import type { RuleBody, Statement } from '../../src/waf/types.js';

/**
 * What WAF does to a request and its log record, for the statements and logging settings waftune
 * writes: evaluates Count rules against a raw log record (adding their labels and listing them
 * among the non-terminating matches, as WAF logs them), then applies a logging configuration's
 * filter and redaction. Tests feed it the rules and configuration the code really writes, so a
 * rule that does not label what the normalization reads fails here.
 *
 * Header values are matched as the record shows them; a record whose Cookie header is already
 * `REDACTED` (a web ACL that redacted before) cannot be inspected again, as the real cookie is gone.
 */

type Json = Record<string, unknown>;
interface Header {
  name: string;
  value: string;
}

function headers(record: Json): Header[] {
  return ((record.httpRequest as Json | undefined)?.headers as Header[] | undefined) ?? [];
}

/** A header as WAF's SingleHeader sees it: several of one name joined (`; ` for cookie). */
export function headerValue(record: Json, name: string): string | null {
  const lower = name.toLowerCase();
  const values = headers(record)
    .filter((h) => h.name.toLowerCase() === lower)
    .map((h) => h.value);
  if (!values.length) return null;
  return values.join(lower === 'cookie' ? '; ' : ', ');
}

function field(record: Json, f: Json): string | null {
  const req = record.httpRequest as Json;
  if (f.UriPath) return String(req.uri ?? '');
  if (f.Method) return String(req.httpMethod ?? '');
  if (f.QueryString) return String(req.args ?? '');
  const single = f.SingleHeader as { Name: string } | undefined;
  if (single) return headerValue(record, single.Name);
  throw new Error(`the simulator does not know FieldToMatch ${JSON.stringify(f)}`);
}

function transform(text: string, transformations: { Type: string }[]): string {
  let out = text;
  for (const t of transformations) {
    if (t.Type === 'LOWERCASE') out = out.toLowerCase();
    else if (t.Type !== 'NONE') throw new Error(`the simulator does not know transformation ${t.Type}`);
  }
  return out;
}

function positional(value: string, search: string, constraint: string): boolean {
  switch (constraint) {
    case 'EXACTLY':
      return value === search;
    case 'STARTS_WITH':
      return value.startsWith(search);
    case 'ENDS_WITH':
      return value.endsWith(search);
    case 'CONTAINS':
      return value.includes(search);
    default:
      throw new Error(`the simulator does not know constraint ${constraint}`);
  }
}

/** IP set ARN -> its addresses, for IPSetReferenceStatement. */
export type IpSets = ReadonlyMap<string, readonly string[]>;

function inSet(address: string, cidrs: readonly string[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address);
  return cidrs.some((c) => {
    const [net, bits] = ipaddr.parseCIDR(c);
    return net.kind() === ip.kind() && ip.match(net, bits);
  });
}

/**
 * The address an IPSetReferenceStatement looks at: `clientIp`, or with IPSetForwardedIPConfig the
 * header's first, last (or any) entry; null (the fallback) when the header has no valid one there.
 */
function addressesOf(record: Json, config: Json | undefined): string[] | null | 'no-header' {
  const req = record.httpRequest as Json;
  if (!config) return [String(req.clientIp)];
  const header = headerValue(record, String(config.HeaderName));
  // WAF does not apply the rule to a request without the header at all.
  if (header === null) return 'no-header';
  const entries = header.split(',').map((x) => x.trim());
  const picked =
    config.Position === 'FIRST'
      ? entries.slice(0, 1)
      : config.Position === 'LAST'
        ? entries.slice(-1)
        : entries.slice(-10);
  // ANY inspects the last 10 addresses and falls back only when none of them is valid.
  const valid = picked.filter((a) => ipaddr.isValid(a));
  if (config.Position === 'ANY') return valid.length > 0 ? valid : null;
  return valid.length === picked.length ? picked : null;
}

export function matches(
  s: Statement,
  record: Json,
  labels: readonly string[],
  sets: IpSets = new Map(),
): boolean {
  const ipRef = s.IPSetReferenceStatement;
  if (ipRef) {
    const cidrs = sets.get(ipRef.ARN);
    if (!cidrs) throw new Error(`the simulator was not given IP set ${ipRef.ARN}`);
    const config = ipRef.IPSetForwardedIPConfig as Json | undefined;
    const addresses = addressesOf(record, config);
    if (addresses === 'no-header') return false;
    if (addresses === null) return config?.FallbackBehavior === 'MATCH';
    return addresses.some((a) => inSet(a, cidrs));
  }
  if (s.ByteMatchStatement) {
    const b = s.ByteMatchStatement;
    const value = field(record, b.FieldToMatch);
    if (value === null) return false;
    return positional(
      transform(value, b.TextTransformations),
      decodeText(b.SearchString),
      b.PositionalConstraint,
    );
  }
  const regex = s.RegexMatchStatement as
    | { RegexString: string; FieldToMatch: Json; TextTransformations: { Type: string }[] }
    | undefined;
  if (regex) {
    const value = field(record, regex.FieldToMatch);
    if (value === null) return false;
    return new RegExp(regex.RegexString).test(transform(value, regex.TextTransformations));
  }
  const size = s.SizeConstraintStatement as
    | { FieldToMatch: Json; ComparisonOperator: string; Size: number }
    | undefined;
  if (size) {
    const value = field(record, size.FieldToMatch);
    const n = value === null ? 0 : Buffer.byteLength(value);
    const ops: Record<string, (a: number, b: number) => boolean> = {
      EQ: (a, b) => a === b,
      NE: (a, b) => a !== b,
      LE: (a, b) => a <= b,
      LT: (a, b) => a < b,
      GE: (a, b) => a >= b,
      GT: (a, b) => a > b,
    };
    return ops[size.ComparisonOperator]?.(n, size.Size) ?? false;
  }
  if (s.AndStatement) return s.AndStatement.Statements.every((c) => matches(c, record, labels, sets));
  if (s.OrStatement) return s.OrStatement.Statements.some((c) => matches(c, record, labels, sets));
  if (s.NotStatement) return !matches(s.NotStatement.Statement, record, labels, sets);
  if (s.LabelMatchStatement) return labels.includes(s.LabelMatchStatement.Key);
  throw new Error(`the simulator does not know statement ${Object.keys(s).join(', ')}`);
}

/**
 * Runs Count rules (in order, before whatever the record says terminated) and returns the record as
 * WAF would log it: their labels qualified with the web ACL's namespace, and each matching rule in
 * the top-level `nonTerminatingMatchingRules`.
 */
export function withCountRules(record: Json, rules: readonly RuleBody[], namespace: string): Json {
  const existing = ((record.labels as { name: string }[] | undefined) ?? []).map((l) => l.name);
  const added: string[] = [];
  const counted: Json[] = [];
  for (const rule of rules) {
    if (!rule.Action?.Count) throw new Error(`${rule.Name} is not a Count rule`);
    if (!matches(rule.Statement, record, [...existing, ...added])) continue;
    for (const l of (rule.RuleLabels as { Name: string }[] | undefined) ?? [])
      added.push(`${namespace}${l.Name}`);
    counted.push({ ruleId: rule.Name, action: 'COUNT', ruleMatchDetails: [] });
  }
  if (!counted.length) return record;
  return {
    ...record,
    nonTerminatingMatchingRules: [
      ...counted,
      ...((record.nonTerminatingMatchingRules as Json[] | null) ?? []),
    ],
    labels: [...added, ...existing].map((name) => ({ name })),
  };
}

/** The record's action as a logging filter's ActionCondition names it. */
function filterActions(record: Json): string[] {
  const out = [String(record.action)];
  const groups = (record.ruleGroupList as Json[] | null) ?? [];
  const counted = [
    ...((record.nonTerminatingMatchingRules as Json[] | null) ?? []),
    ...groups.flatMap((g) => (g.nonTerminatingMatchingRules as Json[] | null) ?? []),
  ];
  if (counted.some((r) => String(r.action).toUpperCase() === 'COUNT')) out.push('COUNT');
  if (groups.some((g) => ((g.excludedRules as Json[] | null) ?? []).length > 0))
    out.push('EXCLUDED_AS_COUNT');
  return out;
}

/**
 * Whether the logging configuration keeps the record (its filters in order, the first that
 * matches decides, else the default), and the record as written: redacted fields read `REDACTED`.
 */
export function logThrough(record: Json, config: LoggingConfiguration): Json | null {
  const labels = ((record.labels as { name: string }[] | undefined) ?? []).map((l) => l.name);
  const actions = filterActions(record);
  const filter = config.LoggingFilter;
  if (filter) {
    let behavior = filter.DefaultBehavior;
    for (const f of filter.Filters) {
      const met = f.Conditions.map((c) =>
        'ActionCondition' in c
          ? actions.includes(c.ActionCondition.Action)
          : labels.includes(c.LabelNameCondition.LabelName),
      );
      if (f.Requirement === 'MEETS_ALL' ? met.every(Boolean) : met.some(Boolean)) {
        behavior = f.Behavior;
        break;
      }
    }
    if (behavior === 'DROP') return null;
  }
  const redacted = new Set((config.RedactedFields ?? []).map((f) => f.SingleHeader.Name.toLowerCase()));
  if (!redacted.size) return record;
  const req = record.httpRequest as Json;
  return {
    ...record,
    httpRequest: {
      ...req,
      headers: headers(record).map((h) =>
        redacted.has(h.name.toLowerCase()) ? { name: h.name, value: 'REDACTED' } : h,
      ),
    },
  };
}
