import type { FirewallManagerGroups, PolicyChange } from './firewall-manager.js';
import type { Rule } from './types.js';

/**
 * What one suggestion does to one web ACL's rules. Pure: the apply loop runs it again on a fresh
 * read after a lock conflict, so it must only depend on the rules (and the context) it is given.
 */
export type MutationResult = (
  | { status: 'changed'; rules: Rule[] }
  | { status: 'unchanged'; reason: string }
  | { status: 'refused'; reason: string }
) & {
  /** Part of the change that is not the account's to make: it belongs in the Firewall Manager policy. */
  policyChange?: PolicyChange;
};

/** What a mutation may look at besides the account's own rules: the web ACL as read. */
export interface AclContext {
  webAclName: string;
  /** The Firewall Manager rule groups around the account's rules (read-only for the account). */
  firewallManager?: FirewallManagerGroups;
}

export interface Mutation {
  suggestionId: string;
  /** One line for people: what the suggestion does here. */
  title: string;
  apply(rules: Rule[], context?: AclContext): MutationResult;
}

export interface MutationOutcome {
  suggestionId: string;
  status: 'changed' | 'unchanged' | 'refused';
  reason?: string;
  policyChange?: PolicyChange;
}

/** Runs the mutations in order; a refused one is reported and skipped, the others still apply. */
export function applyMutations(
  rules: Rule[],
  mutations: readonly Mutation[],
  context?: AclContext,
): { rules: Rule[]; outcomes: MutationOutcome[] } {
  let current = rules;
  const outcomes: MutationOutcome[] = [];
  for (const m of mutations) {
    const result = m.apply(current, context);
    const policy = result.policyChange ? { policyChange: result.policyChange } : {};
    if (result.status === 'changed') {
      current = result.rules;
      outcomes.push({ suggestionId: m.suggestionId, status: 'changed', ...policy });
    } else {
      outcomes.push({
        suggestionId: m.suggestionId,
        status: result.status,
        reason: result.reason,
        ...policy,
      });
    }
  }
  return { rules: current, outcomes };
}
