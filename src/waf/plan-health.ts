import type { Plan } from './plan.js';

/**
 * Whether a plan could do anything at all. When every web ACL and IP set failed, nothing can be
 * applied: that is a failure (exit 1), not a partial one, and when they all failed for the same
 * reason (no credentials, no network, one missing permission) the reason is said once.
 */

export function everyTargetFailed(plan: Plan): boolean {
  const targets = [...plan.acls, ...plan.ipSets];
  return targets.length > 0 && targets.every((t) => t.status === 'failed');
}

/** The one reason every target failed for, or undefined. */
export function commonFailure(plan: Plan): string | undefined {
  if (!everyTargetFailed(plan)) return undefined;
  const reasons = new Set([...plan.acls, ...plan.ipSets].map((t) => t.reason ?? 'failed'));
  return reasons.size === 1 ? [...reasons][0] : undefined;
}

/** Why apply has nothing to do, in words that agree with the plan shown above it. */
export function nothingToApply(plan: Plan): string {
  const failed = plan.acls.filter((a) => a.status === 'failed').length;
  const refused = plan.acls.filter((a) => a.status === 'refused').length;
  const setsBad = plan.ipSets.filter((s) => s.status === 'failed' || s.status === 'refused').length;
  if (failed + refused + setsBad === 0 && plan.acls.length > 0)
    return 'No changes: every web ACL is already as the suggestions want.';
  const parts = [
    failed ? `${failed} web ACL${failed === 1 ? '' : 's'} could not be read` : '',
    refused ? `${refused} refused` : '',
    setsBad ? `${setsBad} IP set${setsBad === 1 ? '' : 's'} failed or refused` : '',
  ].filter(Boolean);
  if (!parts.length) return 'Nothing to apply: no web ACL is a target of these suggestions.';
  return `Nothing applied: ${parts.join(', ')} (see above); the rest is already as the suggestions want.`;
}
