import type { RuleOverride, Suggestion } from '../../schemas/suggestion.js';
import type { ChangeRecord } from '../waf/audit.js';
import type { AppliedOverride } from './spikes.js';

/**
 * What the change history (src/waf/audit.ts) says the digest and the alerts need: which
 * suggestions are live on the web ACLs (so they are not "pending" any more), and when each was
 * applied (to measure its effect, and to notice an override that is not working).
 */

export interface AppliedSuggestion {
  changeId: string;
  appliedAt: string;
  suggestion: Suggestion;
  /** Names of the web ACLs (or IP sets) where it changed something. */
  targets: string[];
}

/** Suggestions applied and not rolled back since, oldest first. */
export function appliedSuggestions(records: readonly ChangeRecord[]): AppliedSuggestion[] {
  const rolledBack = new Set(
    records.filter((r) => r.header.kind === 'rollback').map((r) => r.header.rollbackOf),
  );
  const out: AppliedSuggestion[] = [];
  for (const record of records) {
    if (record.header.kind !== 'apply' || rolledBack.has(record.header.id)) continue;
    for (const suggestion of record.header.suggestions) {
      const entries = record.entries.filter(
        (e) =>
          e.status === 'applied' &&
          (e.outcomes
            ? e.outcomes.some((o) => o.suggestionId === suggestion.id && o.status === 'changed')
            : e.suggestionIds.includes(suggestion.id)),
      );
      if (entries.length === 0) continue;
      const firstAt = entries.map((e) => e.at).sort()[0] ?? record.header.createdAt;
      out.push({
        changeId: record.header.id,
        appliedAt: firstAt,
        suggestion,
        targets: [...new Set(entries.map((e) => e.target.name))],
      });
    }
  }
  return out.sort((a, b) => a.appliedAt.localeCompare(b.appliedAt));
}

export function appliedIds(records: readonly ChangeRecord[]): Set<string> {
  return new Set(appliedSuggestions(records).map((a) => a.suggestion.id));
}

/** Rule overrides applied in [fromTs, toTs): what the alerts watch for blocks that should have stopped. */
export function recentOverrides(
  records: readonly ChangeRecord[],
  fromTs: number,
  toTs: number,
): AppliedOverride[] {
  return appliedSuggestions(records)
    .filter(
      (a): a is AppliedSuggestion & { suggestion: RuleOverride } => a.suggestion.kind === 'rule-override',
    )
    .filter((a) => {
      const at = Date.parse(a.appliedAt);
      return at >= fromTs && at < toTs;
    })
    .map((a) => ({
      changeId: a.changeId,
      suggestionId: a.suggestion.id,
      appliedAt: a.appliedAt,
      ruleGroup: a.suggestion.ruleGroup,
      ruleId: a.suggestion.ruleId,
      scope: a.suggestion.scope,
    }));
}

/** One line for the digest, values not escaped. */
export function describeApplied(s: Suggestion): string {
  if (s.kind === 'ip-block') {
    const shown = s.addresses.slice(0, 3).join(', ');
    return `block ${shown}${s.addresses.length > 3 ? ` +${s.addresses.length - 3}` : ''} for ${s.expiresAfterDays} days`;
  }
  const paths = (s.scope.paths ?? []).map((p) => (p.match === 'STARTS_WITH' ? `${p.value}*` : p.value));
  const where =
    paths.length > 0
      ? ` on ${paths.slice(0, 2).join(', ')}${paths.length > 2 ? ` +${paths.length - 2}` : ''}`
      : '';
  return `${s.ruleId} to Count${where}`;
}
