import type { Rule } from './types.js';

/**
 * What one suggestion does to one web ACL's rules. Pure: the apply loop runs it again on a fresh
 * read after a lock conflict, so it must only depend on the rules it is given.
 */
export type MutationResult =
  | { status: 'changed'; rules: Rule[] }
  | { status: 'unchanged'; reason: string }
  | { status: 'refused'; reason: string };

export interface Mutation {
  suggestionId: string;
  /** One line for people: what the suggestion does here. */
  title: string;
  apply(rules: Rule[]): MutationResult;
}

export interface MutationOutcome {
  suggestionId: string;
  status: MutationResult['status'];
  reason?: string;
}

/** Runs the mutations in order; a refused one is reported and skipped, the others still apply. */
export function applyMutations(
  rules: Rule[],
  mutations: readonly Mutation[],
): { rules: Rule[]; outcomes: MutationOutcome[] } {
  let current = rules;
  const outcomes: MutationOutcome[] = [];
  for (const m of mutations) {
    const result = m.apply(current);
    if (result.status === 'changed') {
      current = result.rules;
      outcomes.push({ suggestionId: m.suggestionId, status: 'changed' });
    } else {
      outcomes.push({ suggestionId: m.suggestionId, status: result.status, reason: result.reason });
    }
  }
  return { rules: current, outcomes };
}
