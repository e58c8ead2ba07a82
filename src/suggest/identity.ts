import type { HeaderMatch, Scope } from '../../schemas/suggestion.js';
import { COMMENTER_COOKIE, WOO_SESSION_COOKIE, WP_LOGGED_IN_COOKIE } from '../../schemas/waftune-labels.js';
import type { FinalGroup } from '../analyze/fleet.js';
import { CALLBACK_QUERY } from '../classify/wordpress-paths.js';
import { eventRequest, type HeaderKnowledge, type ScopedRequest } from './scope.js';

/**
 * Who sent a false positive, and the header conditions that say so to WAF: what keeps an
 * override as narrow as its evidence. Editors' saves all carry a WordPress login cookie, so an
 * override for them requires one and cookie-less spray on the same rule and path stays blocked;
 * an integration is known by its credentials and its user agent; a shopper by the WooCommerce
 * session cookie every checkout carries.
 */
export type Identity = 'session' | 'integration' | 'visitor';

/** The login-cookie condition, exactly as WAF will check it (and as `connect`'s label rule does). */
export const LOGGED_IN_CONDITION: HeaderMatch = {
  name: 'cookie',
  match: 'CONTAINS',
  value: WP_LOGGED_IN_COOKIE,
};

/**
 * Cookies a visitor's browser only has after using the site, in the order preferred for a scope:
 * the WooCommerce session (every cart and checkout request), a returning commenter's cookie. Both
 * are tracked cookies (schemas/waftune-labels.ts): where the log redacts the Cookie header,
 * `connect`'s labels still say whether they were sent, so the condition is chosen alike from full
 * and from filtered logs.
 */
const VISITOR_COOKIES = [WOO_SESSION_COOKIE, COMMENTER_COOKIE] as const;

/** Webhook signatures whose format a ByteMatch can check (the header name alone cannot be one). */
const SIGNATURE_CONDITIONS: Readonly<Record<string, HeaderMatch | undefined>> = {
  'stripe-signature': { name: 'stripe-signature', match: 'CONTAINS', value: 'v1=' },
  'x-hub-signature-256': { name: 'x-hub-signature-256', match: 'STARTS_WITH', value: 'sha256=' },
};

/** Authorization schemes as clients spell them in the header. */
const SCHEME_TEXT: Readonly<Record<string, string | undefined>> = { basic: 'Basic ', bearer: 'Bearer ' };

/** Printable ASCII only: a ByteMatch compares bytes, and a condition must stay inert wherever it is shown. */
const SAFE_HEADER_VALUE = /^[\x20-\x7e]{1,200}$/;

/** The cookie says nothing: redacted in the log and no evidence label either. */
export function sessionUnknown(g: Pick<FinalGroup, 'cookie_redacted' | 'wp_session'>): boolean {
  // waftune's login label (read into wp_session) says when WAF saw the cookie; its absence says nothing.
  return g.cookie_redacted && !g.wp_session;
}

/** The user agent an integration's condition names: the whole of it, or its product token (`wp-android/`). */
export function userAgentFamily(ua: string | null): string | null {
  if (ua === null || !SAFE_HEADER_VALUE.test(ua)) return null;
  const slash = ua.indexOf('/');
  return slash > 0 ? ua.slice(0, slash + 1) : ua;
}

/** Header conditions every group meets, for the identity given; [] when nothing identifies them all. */
export function identityConditions(identity: Identity, groups: readonly FinalGroup[]): HeaderMatch[] {
  if (identity === 'session') return [LOGGED_IN_CONDITION];
  if (identity === 'integration') return integrationConditions(groups);
  // A visitor's cookie can only be required where every group shows it: in its Cookie header, or
  // where the log redacts that, in waftune's label.
  const cookie = VISITOR_COOKIES.find((c) => groups.every((g) => (g.session_cookies ?? []).includes(c)));
  return cookie ? [{ name: 'cookie', match: 'CONTAINS', value: cookie }] : [];
}

function integrationConditions(groups: readonly FinalGroup[]): HeaderMatch[] {
  const out: HeaderMatch[] = [];
  for (const [header, condition] of Object.entries(SIGNATURE_CONDITIONS)) {
    if (condition && groups.every((g) => g.known_headers.includes(header))) out.push(condition);
  }
  const schemes = new Set(groups.map((g) => g.auth_scheme));
  const [scheme] = schemes;
  const schemeText = schemes.size === 1 && scheme ? SCHEME_TEXT[scheme] : undefined;
  if (schemeText) out.push({ name: 'authorization', match: 'STARTS_WITH', value: schemeText });
  const agents = new Set(groups.map((g) => g.user_agent));
  const [agent] = agents;
  if (agents.size === 1 && agent && SAFE_HEADER_VALUE.test(agent)) {
    out.push({ name: 'user-agent', match: 'EXACTLY', value: agent });
  } else {
    const families = new Set(groups.map((g) => userAgentFamily(g.user_agent)));
    const [family] = families;
    if (families.size === 1 && family && family.length >= 4)
      out.push({ name: 'user-agent', match: 'STARTS_WITH', value: family });
  }
  return out;
}

/**
 * The scope names the sender itself: a webhook's signature, or a callback's parameter together with
 * its user agent. Webhooks have no history beside their calls (a provider sends from a pool of
 * addresses, and retries a delivery that was blocked), so their sources look one-shot; inside such a
 * scope a one-shot source is the integration, not a campaign.
 */
export function scopeNamesSender(scope: Scope): boolean {
  const headers = scope.headers ?? [];
  if (headers.some((h) => h.name in SIGNATURE_CONDITIONS)) return true;
  return (
    scope.query !== undefined &&
    CALLBACK_QUERY.test(scope.query.value) &&
    headers.some((h) => h.name === 'user-agent')
  );
}

/**
 * What a grouped request knows of its headers, for `scopeDecision` (src/suggest/scope.ts): what
 * events keep (user agent, referer, host, cookie names, the login label), and from the columns
 * this module scopes on, the Authorization scheme and which signature headers were sent (a
 * present signature is taken to have its provider's format).
 */
export function groupRequest(g: FinalGroup): ScopedRequest {
  const base = eventRequest(g);
  return {
    ...base,
    header(name: string): HeaderKnowledge {
      if (name === 'authorization') {
        if (g.auth_scheme === null) return { kind: 'absent' };
        const text = SCHEME_TEXT[g.auth_scheme];
        return text
          ? { kind: 'met', conditions: [{ name: 'authorization', match: 'STARTS_WITH', value: text }] }
          : { kind: 'unknown' };
      }
      const signature = SIGNATURE_CONDITIONS[name];
      if (signature)
        return g.known_headers.includes(name) ? { kind: 'met', conditions: [signature] } : { kind: 'absent' };
      return base.header(name);
    },
  };
}
