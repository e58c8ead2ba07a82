import type { EventView, FleetSignal } from '../signal.js';
import { isBodyRule } from '../wordpress-paths.js';
import { hasAttackPayload } from './attack-payload.js';

/** Markup and SQL tokens as WAF lists them in a body match (`["<", "script"]` is joined `< script`). */
const BODY_PAYLOAD =
  /<\s*(script|iframe|svg|img|object|embed|frameset|body|math|details)\b|\bunion\s+(all\s+)?select\b/i;

/** A request a rule matched carries injection evidence: a payload in the URL, or markup/SQL in the blocked body. */
export function carriesInjection(
  e: Pick<EventView, 'query' | 'path' | 'matched_data' | 'rule_id' | 'rule_action'>,
): boolean {
  if (e.rule_action === null) return false;
  if (hasAttackPayload(e.query) || hasAttackPayload(e.path)) return true;
  const data = e.matched_data;
  return data !== null && isBodyRule(e.rule_id) && (hasAttackPayload(data) || BODY_PAYLOAD.test(data));
}

/**
 * A login cookie anyone can send: the address did less allowed admin work than it sent injections
 * under the cookie (none at all, or a glance at the dashboard WordPress redirects a bad cookie
 * from), so the cookie is no evidence of a session, and its blocked request carries an injection
 * payload. An attacker, even on one site. (An editor's saves carry embeds too, but an editor's
 * heartbeats and screens in wp-admin far outnumber them.)
 */
export const forgedSession: FleetSignal = {
  id: 'forged-session',
  stage: 'fleet',
  weight: 3,
  reason:
    'a login cookie from an address that did less admin work than it sent injections, and this request carries one',
  applies: (e, f) =>
    e.wp_session && f.ip !== undefined && f.ip.adminWork < f.ip.sessionInjections && carriesInjection(e),
  suppresses: ['wp-session', 'editor-endpoint', 'oversize-upload', 'rule-path-crowd', 'ip-admin-work'],
};
