import type { Scope } from '../../schemas/suggestion.js';

/** The request fields a scope looks at. */
export interface ScopedRequest {
  method: string;
  path: string;
  query: string;
  host: string;
}

/**
 * Whether a request meets every part of a scope, exactly as the WAF statement that `apply` builds
 * will decide it: methods exact, a `paths` part met by any listed path (EXACTLY or STARTS_WITH on
 * the URI path), `query` on the raw query string, hosts on the lower-cased Host header.
 */
export function scopeMatches(scope: Scope, r: ScopedRequest): boolean {
  if (scope.methods && !scope.methods.includes(r.method)) return false;
  if (
    scope.paths &&
    !scope.paths.some((p) => (p.match === 'EXACTLY' ? r.path === p.value : r.path.startsWith(p.value)))
  ) {
    return false;
  }
  if (scope.query) {
    const ok =
      scope.query.match === 'EXACTLY' ? r.query === scope.query.value : r.query.includes(scope.query.value);
    if (!ok) return false;
  }
  if (scope.hosts && !scope.hosts.includes(r.host.toLowerCase())) return false;
  return true;
}

/** Parameters worth scoping on: they name what the request does (WooCommerce's `wc-ajax=checkout`, admin-ajax's `action=...`). */
const ACTION_PARAMS = ['wc-ajax', 'action', 'rest_route', 'wc-api', 'ajax_action'];

/**
 * The `name=value` query condition that every given query string shares, for endpoints whose
 * path says nothing (everything POSTs to `/`). For `rest_route` (WordPress without pretty
 * permalinks) the route may carry ids, so the shared route prefix serves, as a path would.
 * Null when they share none.
 */
export function sharedQueryCondition(
  queries: readonly string[],
): { match: 'CONTAINS'; value: string } | null {
  if (queries.length === 0) return null;
  for (const name of ACTION_PARAMS) {
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
