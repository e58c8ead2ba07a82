import { createHash } from 'node:crypto';
import type { IpVersion } from './types.js';

export { EVIDENCE_RULE_PREFIX } from '../../schemas/waftune-labels.js';

/**
 * Names waftune gives the things it creates. Deterministic, so a second run finds what the first
 * made, and within WAF's EntityName rules (1-128 characters of [A-Za-z0-9_-]).
 */

export const WAFTUNE_PREFIX = 'waftune-';
export const OVERRIDE_PREFIX = 'waftune-override-';
export const IP_BLOCK_RULE_PREFIX = 'waftune-ip-block-';
const ENTITY_NAME_MAX = 128;

export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Fits `base` into an EntityName; a cut name gets a hash of the whole so two long ids stay apart. */
export function entityName(base: string): string {
  const clean = base.replace(/[^\w-]/g, '-');
  if (clean.length <= ENTITY_NAME_MAX && clean === base) return clean;
  // Replaced characters get the hash too: `a.b` and `a:b` must not both become `a-b`.
  return `${clean.slice(0, ENTITY_NAME_MAX - 9)}-${shortHash(base)}`;
}

/**
 * The override rule for `ruleId`. `disambiguate` (a label) is used when the plain name is already
 * taken by a rule for another label, e.g. the same rule id in two rule groups.
 */
export function overrideRuleName(ruleId: string, disambiguate?: string): string {
  const base = `${OVERRIDE_PREFIX}${ruleId}`;
  if (disambiguate === undefined) return entityName(base);
  const suffix = `-${shortHash(disambiguate)}`;
  return `${entityName(base).slice(0, ENTITY_NAME_MAX - suffix.length)}${suffix}`;
}

export function ipSetName(version: IpVersion): string {
  return `waftune-blocked-${version.toLowerCase()}`;
}

export function ipBlockRuleName(version: IpVersion): string {
  return `${IP_BLOCK_RULE_PREFIX}${version.toLowerCase()}`;
}

export const IP_SET_DESCRIPTION =
  'Addresses blocked by waftune. Expiry dates are in the waftune change history';
