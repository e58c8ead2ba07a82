import { describeRule } from './describe.js';
import { byPriority } from './priorities.js';
import type { Rule } from './types.js';

/** JSON with sorted keys: two reads of the same ACL compare equal whatever the member order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

/** Same rules, whatever their order in the list (WAF orders by priority). */
export function sameRules(a: readonly Rule[] | undefined, b: readonly Rule[] | undefined): boolean {
  return canonicalJson(byPriority(a ?? [])) === canonicalJson(byPriority(b ?? []));
}

export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
}

export interface RuleDiff {
  op: 'add' | 'remove' | 'change';
  name: string;
  priorityBefore?: number;
  priorityAfter?: number;
  /** The rule's description with changed lines marked (all `+` for an add, all `-` for a remove). */
  lines: DiffLine[];
}

/** Rules added, removed and changed (content or priority), in evaluation order of the result. */
export function diffRules(before: readonly Rule[] = [], after: readonly Rule[] = []): RuleDiff[] {
  const old = new Map(before.map((r) => [r.Name, r]));
  const next = new Map(after.map((r) => [r.Name, r]));
  const diffs: RuleDiff[] = [];
  for (const rule of byPriority(after)) {
    const prev = old.get(rule.Name);
    if (!prev) {
      diffs.push({
        op: 'add',
        name: rule.Name,
        priorityAfter: rule.Priority,
        lines: describeRule(rule).map((text) => ({ op: '+', text })),
      });
      continue;
    }
    if (canonicalJson(prev) === canonicalJson(rule)) continue;
    diffs.push({
      op: 'change',
      name: rule.Name,
      priorityBefore: prev.Priority,
      priorityAfter: rule.Priority,
      lines: diffLines(describeRule(prev), describeRule(rule)),
    });
  }
  for (const rule of byPriority(before)) {
    if (next.has(rule.Name)) continue;
    diffs.push({
      op: 'remove',
      name: rule.Name,
      priorityBefore: rule.Priority,
      lines: describeRule(rule).map((text) => ({ op: '-', text })),
    });
  }
  return diffs.sort(
    (a, b) => (a.priorityAfter ?? a.priorityBefore ?? 0) - (b.priorityAfter ?? b.priorityBefore ?? 0),
  );
}

/** Line diff by longest common subsequence; rule descriptions are a few lines long. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] as string });
      i++;
      j++;
    } else if ((lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)) {
      out.push({ op: '-', text: a[i++] as string });
    } else {
      out.push({ op: '+', text: b[j++] as string });
    }
  }
  while (i < n) out.push({ op: '-', text: a[i++] as string });
  while (j < m) out.push({ op: '+', text: b[j++] as string });
  return out;
}
