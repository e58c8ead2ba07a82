import type { HeaderMatch } from './suggestion.js';

/**
 * What a scope's header condition means (schemas/suggestion.ts, `scope.headers`), in code: WAF's
 * ByteMatch of the header's value as sent, no text transformation, case-sensitive. The replay and
 * the alerts (src/suggest/scope.ts) and the WAF side (src/waf/scope-set.ts, widening) decide with
 * these, so what the estimate assumes and what WAF does cannot drift apart.
 */

/** Whether a header value meets the condition, as WAF decides it. */
export function valueMeets(condition: Pick<HeaderMatch, 'match' | 'value'>, value: string): boolean {
  switch (condition.match) {
    case 'EXACTLY':
      return value === condition.value;
    case 'STARTS_WITH':
      return value.startsWith(condition.value);
    case 'ENDS_WITH':
      return value.endsWith(condition.value);
    case 'CONTAINS':
      return value.includes(condition.value);
  }
}

/**
 * True when every value meeting `narrow` also meets `wide` (same header): `EXACTLY abc` implies
 * `STARTS_WITH ab`, `CONTAINS b`; `STARTS_WITH abc` implies `STARTS_WITH ab` and `CONTAINS bc`;
 * `CONTAINS abc` implies only `CONTAINS` of a part of `abc`.
 */
export function conditionImplies(narrow: HeaderMatch, wide: HeaderMatch): boolean {
  if (narrow.name !== wide.name) return false;
  const n = narrow.value;
  const w = wide.value;
  switch (narrow.match) {
    case 'EXACTLY':
      return valueMeets(wide, n);
    case 'STARTS_WITH':
      return (
        (wide.match === 'STARTS_WITH' && n.startsWith(w)) || (wide.match === 'CONTAINS' && n.includes(w))
      );
    case 'ENDS_WITH':
      return (wide.match === 'ENDS_WITH' && n.endsWith(w)) || (wide.match === 'CONTAINS' && n.includes(w));
    case 'CONTAINS':
      return wide.match === 'CONTAINS' && n.includes(w);
  }
}

/** True when every request meeting all of `narrow` meets all of `wide` (each wide condition implied by one narrow one). */
export function conditionsImply(narrow: readonly HeaderMatch[], wide: readonly HeaderMatch[]): boolean {
  return wide.every((w) => narrow.some((n) => conditionImplies(n, w)));
}
