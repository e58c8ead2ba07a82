import { conditionImplies, valueMeets } from '../../schemas/header-conditions.js';
import type { HeaderMatch, Scope } from '../../schemas/suggestion.js';
import { WP_LOGGED_IN_COOKIE } from '../../schemas/waftune-labels.js';

/**
 * What an event knows about one request header. A log keeps some headers whole (User-Agent,
 * Referer, Host), of the Cookie header only the names (values are never stored), and where the
 * logging configuration redacts the Cookie header, only what waftune's evidence rule labelled.
 */
export type HeaderKnowledge =
  /** The value as sent; `complete` false when the event kept only its first part (long values are cut). */
  | { kind: 'value'; value: string; complete: boolean; lowerCased?: boolean }
  | { kind: 'absent' }
  /** The Cookie header's cookie names, in order; `complete` false when the list or a name was cut. */
  | { kind: 'cookie-names'; names: readonly string[]; complete: boolean }
  /** Conditions WAF decided were met on the real header (evidence labels), nothing else. */
  | { kind: 'met'; conditions: readonly HeaderMatch[] }
  | { kind: 'unknown' };

/** The request fields a scope looks at. */
export interface ScopedRequest {
  method: string;
  path: string;
  query: string;
  host: string;
  /** `name` in lower case. */
  header(name: string): HeaderKnowledge;
}

export type ScopeDecision = 'met' | 'not-met' | 'unknown';

/** The event fields that say something about headers (query rows carry a subset: absent means not carried). */
export interface HeaderFacts {
  host: string;
  user_agent?: string | null;
  referer?: string | null;
  cookie_names?: readonly string[];
  cookie_redacted?: boolean;
  wp_session?: boolean;
  /** Tracked session cookies the request carried (from the header, or its evidence labels). */
  session_cookies?: readonly string[] | null;
}

/** Where src/ingest/normalize.ts cuts these fields: a value this long may have been longer. */
const MAX_HEADER_VALUE = 1024;
const MAX_COOKIE_NAMES = 40;
const MAX_COOKIE_NAME = 128;

function kept(value: string | null | undefined): HeaderKnowledge {
  if (value === undefined) return { kind: 'unknown' };
  if (value === null) return { kind: 'absent' };
  return { kind: 'value', value, complete: value.length < MAX_HEADER_VALUE };
}

/**
 * The headers an event (or a query row grouped from events) knows, for `scopeMatches`:
 * - `user-agent`, `referer`: the value (null: not sent); a row without the column knows nothing;
 * - `host`: the lower-cased Host (the log's `host` field where the header is missing);
 * - `cookie`: the cookie names; where the log redacted the header, only which tracked session
 *   cookies it carried (the evidence labels, schemas/waftune-labels.ts: a login, a WooCommerce
 *   session, a commenter), and no label says nothing (the rule may not have run);
 * - any other header: nothing (events do not keep it).
 */
export function eventRequest(
  e: { method: string; path: string; query: string } & HeaderFacts,
): ScopedRequest {
  return {
    method: e.method,
    path: e.path,
    query: e.query,
    host: e.host,
    header(name: string): HeaderKnowledge {
      switch (name) {
        case 'user-agent':
          return kept(e.user_agent);
        case 'referer':
          return kept(e.referer);
        case 'host':
          return e.host
            ? { kind: 'value', value: e.host, complete: true, lowerCased: true }
            : { kind: 'absent' };
        case 'cookie':
          return cookieKnowledge(e);
        default:
          return { kind: 'unknown' };
      }
    },
  };
}

function cookieKnowledge(e: HeaderFacts): HeaderKnowledge {
  if (e.cookie_names === undefined) return { kind: 'unknown' };
  if (e.cookie_redacted) {
    // Each label is WAF's own `cookie CONTAINS <cookie>` on the real header.
    const labelled = new Set(e.session_cookies ?? []);
    if (e.wp_session) labelled.add(WP_LOGGED_IN_COOKIE);
    return labelled.size > 0
      ? {
          kind: 'met',
          conditions: [...labelled].map((value) => ({ name: 'cookie', match: 'CONTAINS' as const, value })),
        }
      : { kind: 'unknown' };
  }
  if (e.cookie_names.length === 0) return { kind: 'absent' };
  const complete =
    e.cookie_names.length < MAX_COOKIE_NAMES && e.cookie_names.every((n) => n.length < MAX_COOKIE_NAME);
  return { kind: 'cookie-names', names: e.cookie_names, complete };
}

// A condition value with these can reach into a cookie's value, which the event does not keep.
const BEYOND_NAMES = /[=;\s]/;

/** One header condition against what the event knows, as WAF's ByteMatch would decide it. */
export function decideHeader(condition: HeaderMatch, known: HeaderKnowledge): ScopeDecision {
  const v = condition.value;
  switch (known.kind) {
    case 'absent':
      // WAF: a request without the header does not match.
      return 'not-met';
    case 'unknown':
      return 'unknown';
    case 'met':
      return known.conditions.some((c) => conditionImplies(c, condition)) ? 'met' : 'unknown';
    case 'value': {
      if (known.lowerCased) {
        // Clients send the Host in lower case (browsers and HTTP libraries normalise it); a
        // condition with capitals cannot be told from a lower-cased copy.
        if (v !== v.toLowerCase())
          return valueMeets({ ...condition, value: v.toLowerCase() }, known.value) ? 'unknown' : 'not-met';
        return valueMeets(condition, known.value) ? 'met' : 'not-met';
      }
      if (known.complete) return valueMeets(condition, known.value) ? 'met' : 'not-met';
      return decidePrefix(condition, known.value);
    }
    case 'cookie-names': {
      if (BEYOND_NAMES.test(v)) return 'unknown';
      const first = known.names[0] ?? '';
      switch (condition.match) {
        case 'CONTAINS':
          // A name containing it is in the header. A value could hold it too, unseen: anyone who
          // sends it in a value could as well send it as a name, so no name means not met.
          if (known.names.some((n) => n.includes(v))) return 'met';
          return known.complete ? 'not-met' : 'unknown';
        case 'STARTS_WITH':
          // The header starts with the first name, then `=` or `;`, which the condition lacks.
          if (first.startsWith(v)) return 'met';
          return first.length < MAX_COOKIE_NAME ? 'not-met' : 'unknown';
        default:
          // EXACTLY and ENDS_WITH reach into a value.
          return 'unknown';
      }
    }
  }
}

/** Decides a condition from the first part of a value (the rest was cut). */
function decidePrefix(condition: HeaderMatch, prefix: string): ScopeDecision {
  const v = condition.value;
  switch (condition.match) {
    case 'STARTS_WITH':
      if (prefix.startsWith(v)) return 'met';
      return v.startsWith(prefix) ? 'unknown' : 'not-met';
    case 'EXACTLY':
      return v.startsWith(prefix) ? 'unknown' : 'not-met';
    case 'CONTAINS':
      return prefix.includes(v) ? 'met' : 'unknown';
    case 'ENDS_WITH':
      return 'unknown';
  }
}

/**
 * Whether a request is inside a scope, as the WAF statement that `apply` builds decides it:
 * methods exact, a `paths` part met by any listed path (EXACTLY or STARTS_WITH on the URI path),
 * `query` on the raw query string, hosts on the lower-cased Host header, and every header
 * condition met. `unknown` when a header condition cannot be decided from what the event kept.
 */
export function scopeDecision(scope: Scope, r: ScopedRequest): ScopeDecision {
  if (scope.methods && !scope.methods.includes(r.method)) return 'not-met';
  if (
    scope.paths &&
    !scope.paths.some((p) => (p.match === 'EXACTLY' ? r.path === p.value : r.path.startsWith(p.value)))
  ) {
    return 'not-met';
  }
  if (scope.query) {
    const ok =
      scope.query.match === 'EXACTLY' ? r.query === scope.query.value : r.query.includes(scope.query.value);
    if (!ok) return 'not-met';
  }
  if (scope.hosts && !scope.hosts.includes(r.host.toLowerCase())) return 'not-met';
  let decision: ScopeDecision = 'met';
  for (const h of scope.headers ?? []) {
    const d = decideHeader(h, r.header(h.name.toLowerCase()));
    if (d === 'not-met') return 'not-met';
    if (d === 'unknown') decision = 'unknown';
  }
  return decision;
}

/**
 * `scopeDecision` as a yes or no, the caller saying which way an undecidable header condition
 * goes. Which way is safe depends on the question: the replay estimating what an override would
 * let through counts it as met (the estimate never leans on a condition it cannot check); the
 * alerts matching blocks to an applied override count it as not met (a block the override is not
 * known to cover says nothing against it).
 */
export function scopeMatches(scope: Scope, r: ScopedRequest, undecidable: 'met' | 'not-met'): boolean {
  const d = scopeDecision(scope, r);
  return d === 'unknown' ? undecidable === 'met' : d === 'met';
}

/** Parameters worth scoping on: they name what the request does (WooCommerce's `wc-ajax=checkout`, admin-ajax's `action=...`). */
export const ACTION_PARAMS: readonly string[] = ['wc-ajax', 'action', 'rest_route', 'wc-api', 'ajax_action'];

/**
 * The `name=value` query condition that every given query string shares, for endpoints whose
 * path says nothing (everything POSTs to `/`). For `rest_route` (WordPress without pretty
 * permalinks) the route may carry ids, so the shared route prefix serves, as a path would.
 * Null when they share none.
 */
export function sharedQueryCondition(
  queries: readonly string[],
  params: readonly string[] = ACTION_PARAMS,
): { match: 'CONTAINS'; value: string } | null {
  if (queries.length === 0) return null;
  for (const name of params) {
    const values: string[] = [];
    for (const q of queries) {
      // Raw, not decoded: the WAF condition matches the raw query string.
      const v = q
        .split('&')
        .filter((pair) => pair.startsWith(`${name}=`))
        .map((pair) => pair.slice(name.length + 1));
      if (v.length !== 1 || !v[0]) break;
      values.push(v[0]);
    }
    if (values.length !== queries.length) continue;
    const shared =
      name === 'rest_route' ? routePrefix(values) : new Set(values).size === 1 ? values[0] : undefined;
    if (shared && SAFE_VALUE.test(shared)) return { match: 'CONTAINS', value: `${name}=${shared}` };
  }
  return null;
}

const SAFE_VALUE = /^[\w.%/-]{1,96}$/;

/** The longest common prefix of REST routes, cut back to a `/` (raw or `%2F`), two segments at least. */
function routePrefix(routes: readonly string[]): string | undefined {
  let prefix = routes[0] ?? '';
  for (const r of routes) {
    let i = 0;
    while (i < prefix.length && i < r.length && prefix[i] === r[i]) i++;
    prefix = prefix.slice(0, i);
  }
  if (routes.every((r) => r === prefix)) return prefix;
  const cut = Math.max(prefix.lastIndexOf('/') + 1, prefix.toUpperCase().lastIndexOf('%2F') + 3);
  const stem = prefix.slice(0, cut);
  const segments = stem.split(/\/|%2F/i).filter(Boolean).length;
  return segments >= 3 ? stem : undefined;
}
