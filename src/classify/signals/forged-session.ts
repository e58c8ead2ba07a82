import type { EventView, FleetSignal } from '../signal.js';
import { isBodyRule } from '../wordpress-paths.js';
import { hasAttackPayload } from './attack-payload.js';

/** Markup and SQL tokens as WAF lists them in a body match (`["<", "script"]` is joined `< script`). */
const BODY_PAYLOAD =
  /<\s*(script|iframe|svg|img|object|embed|frameset|body|math|details)\b|\bunion\s+(all\s+)?select\b/i;

/** The request itself carries injection evidence: a payload in the URL, or markup/SQL in the blocked body. */
function carriesInjection(e: EventView): boolean {
  if (hasAttackPayload(e.query) || hasAttackPayload(e.path)) return true;
  const data = e.matched_data;
  return data !== null && isBodyRule(e.rule_id) && (hasAttackPayload(data) || BODY_PAYLOAD.test(data));
}

/**
 * A login cookie anyone can send: the address never did allowed admin work, so the cookie is no
 * evidence of a session, and its blocked request carries an injection payload. An attacker,
 * even on one site. (An editor's saves carry markup too, but an editor also works in wp-admin.)
 */
export const forgedSession: FleetSignal = {
  id: 'forged-session',
  stage: 'fleet',
  weight: 3,
  reason:
    'a login cookie from an address that never did allowed admin work, on a request carrying an injection payload',
  applies: (e, f) =>
    e.wp_session &&
    f.ip !== undefined &&
    f.ip.adminWork === 0 &&
    e.rule_action !== null &&
    carriesInjection(e),
  suppresses: ['wp-session', 'editor-endpoint', 'oversize-upload', 'rule-path-crowd'],
};
