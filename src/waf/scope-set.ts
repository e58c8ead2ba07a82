import { conditionsImply } from '../../schemas/header-conditions.js';
import type { PathMatch, Scope } from '../../schemas/suggestion.js';
import { isEmptyScope, normalizeScope } from './statements.js';

/**
 * The set of scopes an override rule exempts, kept small: a scope already covered by another adds
 * nothing, and scopes that differ only in their paths become one scope with both paths.
 *
 * The exemption is the OR of its scopes, and inside a scope every part is an AND (a `paths` part
 * is itself an OR of paths, so merging paths of scopes that agree on everything else changes
 * nothing). Header conditions are ANDed too: two scopes that differ in their headers stay two
 * scopes, because one scope holding both sets of conditions would exempt less than either (both
 * required), and one holding either set would need an OR WAF's scope shape does not have.
 */

function pathCovers(a: PathMatch, b: PathMatch): boolean {
  if (a.match === 'EXACTLY') return b.match === 'EXACTLY' && a.value === b.value;
  return b.value.startsWith(a.value);
}

function subset(narrow: string[] | undefined, wide: string[] | undefined): boolean {
  if (!wide) return true;
  if (!narrow) return false;
  return narrow.every((v) => wide.includes(v));
}

/** True when every request inside `b` is also inside `a`. */
export function scopeCovers(a: Scope, b: Scope): boolean {
  if (!subset(b.methods, a.methods) || !subset(b.hosts, a.hosts)) return false;
  if (a.query) {
    if (!b.query) return false;
    const sameOrNarrower =
      a.query.match === 'EXACTLY'
        ? b.query.match === 'EXACTLY' && b.query.value === a.query.value
        : b.query.value.includes(a.query.value);
    if (!sameOrNarrower) return false;
  }
  if (a.paths) {
    if (!b.paths) return false;
    const aPaths = a.paths;
    if (!b.paths.every((bp) => aPaths.some((ap) => pathCovers(ap, bp)))) return false;
  }
  // Every condition of `a` must follow from one of `b`'s (b needs more, or the same, or narrower).
  if (a.headers && !conditionsImply(b.headers ?? [], a.headers)) return false;
  return true;
}

function samePartsButPaths(a: Scope, b: Scope): boolean {
  return (
    JSON.stringify([a.methods, a.hosts, a.query, a.headers]) ===
      JSON.stringify([b.methods, b.hosts, b.query, b.headers]) &&
    a.paths !== undefined &&
    b.paths !== undefined
  );
}

function prunePaths(paths: PathMatch[]): PathMatch[] {
  return paths.filter(
    (p, i) => !paths.some((q, j) => j !== i && pathCovers(q, p) && !(pathCovers(p, q) && j > i)),
  );
}

/**
 * Adds `scope` to `scopes`. Returns the new list, or undefined when `scope` is already covered
 * (nothing to change). An empty scope covers everything.
 */
export function widenScopes(scopes: Scope[], input: Scope): Scope[] | undefined {
  const scope = normalizeScope(input);
  if (scopes.some((s) => scopeCovers(s, scope))) return undefined;
  if (isEmptyScope(scope)) return [scope];
  let merged = scope;
  const rest: Scope[] = [];
  for (const existing of scopes) {
    if (scopeCovers(merged, existing)) continue;
    if (samePartsButPaths(existing, merged)) {
      merged = normalizeScope({
        ...merged,
        paths: prunePaths([...(existing.paths ?? []), ...(merged.paths ?? [])]),
      });
      continue;
    }
    rest.push(existing);
  }
  return [...rest, merged];
}
