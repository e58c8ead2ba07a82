import type { HeaderMatch, PathMatch, Scope } from '../../schemas/suggestion.js';
import type { ByteMatchStatement, FieldToMatch, Statement } from './types.js';

/**
 * Scope <-> WAF statement. A suggestion's scope (paths, methods, hosts, query, headers) becomes the
 * statement an override rule exempts; waftune can read its own statements back, which is how a
 * second override of the same rule widens the existing rule instead of stacking another.
 *
 * A header condition is a ByteMatch on `SingleHeader {Name}` (lower-case name; WAF matches names
 * case-insensitively) with no text transformation: its values are case-sensitive tokens (cookie
 * names, `Bearer` schemes, callback signatures) that a LOWERCASE would make both wider and
 * different from what the log showed, and WAF sees several headers of one name as one value. Each
 * condition is its own part of the AND, so all of them must be met. Host conditions of `hosts`
 * stay apart: they lower-case the header, so they read back as hosts, never as header conditions.
 */

/** AWS rejects a ByteMatch search string longer than this. */
export const SEARCH_STRING_MAX_BYTES = 200;

const NONE = [{ Priority: 0, Type: 'NONE' }];
// Host names are case-insensitive; the search string is stored lower-case and the header lowered.
const LOWERCASE = [{ Priority: 0, Type: 'LOWERCASE' }];
const HOST_HEADER = 'host';

export function encodeText(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function decodeText(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

function byteMatch(
  field: FieldToMatch,
  text: string,
  constraint: string,
  transformations: ByteMatchStatement['TextTransformations'],
): Statement {
  return {
    ByteMatchStatement: {
      SearchString: encodeText(text),
      FieldToMatch: field,
      TextTransformations: transformations,
      PositionalConstraint: constraint,
    },
  };
}

function anyOf(statements: Statement[]): Statement {
  if (statements.length === 1 && statements[0]) return statements[0];
  return { OrStatement: { Statements: statements } };
}

function allOf(statements: Statement[]): Statement {
  if (statements.length === 1 && statements[0]) return statements[0];
  return { AndStatement: { Statements: statements } };
}

/** Sorted, de-duplicated copy, so equal scopes always give equal statements. */
export function normalizeScope(scope: Scope): Scope {
  const out: Scope = {};
  if (scope.paths?.length) {
    const seen = new Map<string, PathMatch>();
    for (const p of scope.paths) seen.set(`${p.match} ${p.value}`, { match: p.match, value: p.value });
    out.paths = [...seen.values()].sort((a, b) => cmp(a.value, b.value) || cmp(a.match, b.match));
  }
  if (scope.methods?.length) out.methods = uniqueSorted(scope.methods.map((m) => m.toUpperCase()));
  if (scope.hosts?.length) out.hosts = uniqueSorted(scope.hosts.map((h) => h.toLowerCase()));
  if (scope.query) out.query = { match: scope.query.match, value: scope.query.value };
  if (scope.headers?.length) {
    const seen = new Map<string, HeaderMatch>();
    for (const h of scope.headers) {
      const name = h.name.toLowerCase();
      seen.set(JSON.stringify([name, h.match, h.value]), { name, match: h.match, value: h.value });
    }
    out.headers = [...seen.values()].sort(
      (a, b) => cmp(a.name, b.name) || cmp(a.match, b.match) || cmp(a.value, b.value),
    );
  }
  return out;
}

export function isEmptyScope(scope: Scope): boolean {
  return (
    !scope.paths?.length &&
    !scope.methods?.length &&
    !scope.hosts?.length &&
    !scope.query &&
    !scope.headers?.length
  );
}

/** Problems that would make WAF reject the scope's statement; empty when fine. */
export function scopeProblems(scope: Scope): string[] {
  const problems: string[] = [];
  const values = [
    ...(scope.paths ?? []).map((p) => p.value),
    ...(scope.methods ?? []),
    ...(scope.hosts ?? []),
    ...(scope.query ? [scope.query.value] : []),
    ...(scope.headers ?? []).map((h) => h.value),
  ];
  for (const value of values) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > SEARCH_STRING_MAX_BYTES) {
      problems.push(`a scope value is ${bytes} bytes; WAF matches at most ${SEARCH_STRING_MAX_BYTES}`);
    }
  }
  return problems;
}

/** The statement that matches requests inside `scope`; undefined for an empty scope (everything). */
export function scopeStatement(input: Scope): Statement | undefined {
  const scope = normalizeScope(input);
  const parts: Statement[] = [];
  if (scope.paths)
    parts.push(anyOf(scope.paths.map((p) => byteMatch({ UriPath: {} }, p.value, p.match, NONE))));
  if (scope.methods)
    parts.push(anyOf(scope.methods.map((m) => byteMatch({ Method: {} }, m, 'EXACTLY', NONE))));
  if (scope.hosts) {
    parts.push(
      anyOf(
        scope.hosts.map((h) => byteMatch({ SingleHeader: { Name: HOST_HEADER } }, h, 'EXACTLY', LOWERCASE)),
      ),
    );
  }
  if (scope.query) parts.push(byteMatch({ QueryString: {} }, scope.query.value, scope.query.match, NONE));
  for (const h of scope.headers ?? [])
    parts.push(byteMatch({ SingleHeader: { Name: h.name } }, h.value, h.match, NONE));
  return parts.length ? allOf(parts) : undefined;
}

/** The statement for "inside any of these scopes". */
export function exemptStatement(scopes: Scope[]): Statement | undefined {
  const statements: Statement[] = [];
  for (const scope of scopes) {
    const s = scopeStatement(scope);
    if (!s) return undefined;
    statements.push(s);
  }
  return statements.length ? anyOf(statements) : undefined;
}

type Part =
  | { kind: 'paths'; paths: PathMatch[] }
  | { kind: 'methods' | 'hosts'; values: string[] }
  | { kind: 'query'; query: NonNullable<Scope['query']> }
  | { kind: 'header'; header: HeaderMatch };

const HEADER_CONSTRAINTS = new Set(['EXACTLY', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS']);
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

function transformedWith(b: ByteMatchStatement, type: string): boolean {
  return b.TextTransformations.length === 1 && b.TextTransformations[0]?.Type === type;
}

function readByteMatch(s: Statement): Part | undefined {
  const b = s.ByteMatchStatement;
  if (!b || Object.keys(s).length !== 1) return undefined;
  const text = decodeText(b.SearchString);
  const f = b.FieldToMatch;
  if (f.UriPath && (b.PositionalConstraint === 'EXACTLY' || b.PositionalConstraint === 'STARTS_WITH')) {
    return { kind: 'paths', paths: [{ match: b.PositionalConstraint, value: text }] };
  }
  if (f.Method && b.PositionalConstraint === 'EXACTLY') return { kind: 'methods', values: [text] };
  const header = f.SingleHeader?.Name.toLowerCase();
  if (header === HOST_HEADER && b.PositionalConstraint === 'EXACTLY' && !transformedWith(b, 'NONE')) {
    return { kind: 'hosts', values: [text] };
  }
  if (
    header &&
    HEADER_NAME.test(header) &&
    HEADER_CONSTRAINTS.has(b.PositionalConstraint) &&
    transformedWith(b, 'NONE') &&
    text.length > 0
  ) {
    const match = b.PositionalConstraint as HeaderMatch['match'];
    return { kind: 'header', header: { name: header, match, value: text } };
  }
  if (f.QueryString && (b.PositionalConstraint === 'CONTAINS' || b.PositionalConstraint === 'EXACTLY')) {
    return { kind: 'query', query: { match: b.PositionalConstraint, value: text } };
  }
  return undefined;
}

function readPart(s: Statement): Part | undefined {
  if (s.OrStatement) {
    const parts = s.OrStatement.Statements.map(readByteMatch);
    const first = parts[0];
    // Header conditions are all required: an OR of them is not a waftune scope part.
    if (
      !first ||
      first.kind === 'query' ||
      first.kind === 'header' ||
      parts.some((p) => !p || p.kind !== first.kind)
    )
      return undefined;
    if (first.kind === 'paths')
      return { kind: 'paths', paths: parts.flatMap((p) => (p?.kind === 'paths' ? p.paths : [])) };
    return { kind: first.kind, values: parts.flatMap((p) => (p && 'values' in p ? p.values : [])) };
  }
  return readByteMatch(s);
}

/** Reads back a statement `scopeStatement` wrote; undefined when it has another shape (hand-edited). */
export function statementToScope(s: Statement): Scope | undefined {
  const parts =
    s.AndStatement && Object.keys(s).length === 1 ? s.AndStatement.Statements.map(readPart) : [readPart(s)];
  const scope: Scope = {};
  for (const part of parts) {
    if (!part) return undefined;
    if (part.kind === 'paths') {
      if (scope.paths) return undefined;
      scope.paths = part.paths;
    } else if (part.kind === 'query') {
      if (scope.query) return undefined;
      scope.query = part.query;
    } else if (part.kind === 'header') {
      scope.headers = [...(scope.headers ?? []), part.header];
    } else {
      if (scope[part.kind]) return undefined;
      scope[part.kind] = part.values;
    }
  }
  return isEmptyScope(scope) ? undefined : normalizeScope(scope);
}

/** Reads back an `exemptStatement`: the list of scopes, or undefined when it is not waftune's shape. */
export function statementToScopes(s: Statement): Scope[] | undefined {
  const single = statementToScope(s);
  if (single) return [single];
  if (!s.OrStatement) return undefined;
  const scopes: Scope[] = [];
  for (const child of s.OrStatement.Statements) {
    const scope = statementToScope(child);
    if (!scope) return undefined;
    scopes.push(scope);
  }
  return scopes;
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values)].sort(cmp);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
