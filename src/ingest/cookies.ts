import { type EvidenceLabels, SESSION_COOKIES, type SessionCookie } from '../../schemas/waftune-labels.js';

/** What waftune keeps of the Cookie headers: names only; values never leave this function. */
export interface CookieFacts {
  names: string[];
  wpSession: boolean;
  /** The tracked session cookies sent (schemas/waftune-labels.ts SESSION_COOKIES), in that order. */
  sessionCookies: SessionCookie[];
  redacted: boolean;
}

const MAX_NAMES = 40;
const MAX_NAME_LENGTH = 128;
const TRACKED: readonly SessionCookie[] = SESSION_COOKIES.map((c) => c.cookie);

/**
 * `evidence`: what waftune's evidence rules labelled (schemas/waftune-labels.ts). WAF inspected the
 * real header, so where the log redacts it the labels still say which tracked session cookies were
 * sent. Where the header is there, a tracked cookie counts as sent when the header contains its
 * text, as the rule's (and an override condition's) `CONTAINS` decides on the real header.
 */
export function cookieFacts(headerValues: readonly string[], evidence?: EvidenceLabels): CookieFacts {
  const names: string[] = [];
  let redacted = false;
  const sent = new Set<SessionCookie>(evidence?.cookies ?? []);
  for (const header of headerValues) {
    if (header === 'REDACTED') {
      redacted = true;
      continue;
    }
    for (const c of TRACKED) if (header.includes(c)) sent.add(c);
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      const name = (eq === -1 ? part : part.slice(0, eq)).trim();
      if (!name) continue;
      if (names.length < MAX_NAMES) names.push(name.slice(0, MAX_NAME_LENGTH));
    }
  }
  const sessionCookies = TRACKED.filter((c) => sent.has(c));
  return { names, wpSession: sent.has('wordpress_logged_in_'), sessionCookies, redacted };
}
