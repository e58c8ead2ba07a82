import type { Rule, RuleBody } from './types.js';

/** Rules in evaluation order (WAF evaluates by ascending priority, not by list position). */
export function byPriority(rules: readonly Rule[]): Rule[] {
  return [...rules].sort((a, b) => a.Priority - b.Priority);
}

/**
 * Inserts `rule` at position `index` of the evaluation order. It takes the lowest priority that
 * keeps it after its predecessor; the rules after it keep their priority unless they collide, in
 * which case they move down just enough. So an ACL with gaps in its priorities changes in one rule.
 */
export function insertAt(rules: readonly Rule[], index: number, rule: RuleBody): Rule[] {
  const ordered = byPriority(rules);
  const before = ordered.slice(0, index);
  const after = ordered.slice(index);
  const previous = before[before.length - 1];
  const inserted: Rule = { ...rule, Priority: previous ? previous.Priority + 1 : 0 };
  const out = [...before, inserted];
  let last = inserted.Priority;
  for (const r of after) {
    if (r.Priority <= last) {
      last += 1;
      out.push({ ...r, Priority: last });
    } else {
      last = r.Priority;
      out.push(r);
    }
  }
  return out;
}

/** Top of the ACL: the lowest free priority before the first rule, or 0 with the others moved down. */
export function insertFirst(rules: readonly Rule[], rule: RuleBody): Rule[] {
  const ordered = byPriority(rules);
  const first = ordered[0];
  if (first && first.Priority > 0) return [{ ...rule, Priority: first.Priority - 1 }, ...ordered];
  return insertAt(ordered, 0, rule);
}
