import {
  type EvidenceLabels,
  SESSION_COOKIES,
  type SessionCookie,
  WP_LOGGED_IN_COOKIE,
} from '../../schemas/waftune-labels.js';
import { cutCodePoints } from '../classify/fold.js';

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
  // Bit i: TRACKED[i] was sent (a mask, not a Set: this runs on every record).
  let sent = 0;
  for (const c of evidence?.cookies ?? NONE) sent |= 1 << TRACKED.indexOf(c);
  for (const header of headerValues) {
    if (header === 'REDACTED') {
      redacted = true;
      continue;
    }
    for (let i = 0; i < TRACKED.length; i++) if (header.includes(TRACKED[i] as SessionCookie)) sent |= 1 << i;
    if (names.length < MAX_NAMES) collectNames(header, names);
  }
  const sessionCookies = TRACKED.filter((_, i) => (sent & (1 << i)) !== 0);
  return { names, wpSession: (sent & WP_SESSION_BIT) !== 0, sessionCookies, redacted };
}

const NONE: readonly never[] = [];
const WP_SESSION_BIT = 1 << TRACKED.indexOf(WP_LOGGED_IN_COOKIE);

/**
 * Appends the names of `header`'s `;`-separated parts (the text before a part's first `=`,
 * trimmed; empty ones skipped) until `names` holds MAX_NAMES: what `header.split(';')` gave, read
 * in place. The next `=` is looked up once and kept while it lies ahead, so a header of many
 * parts without one is still read in one pass.
 */
function collectNames(header: string, names: string[]): void {
  let start = 0;
  let eq = header.indexOf('=');
  for (;;) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    if (eq !== -1 && eq < start) eq = header.indexOf('=', start);
    const name = header.slice(start, eq !== -1 && eq < end ? eq : end).trim();
    if (name) {
      names.push(cutCodePoints(name, MAX_NAME_LENGTH));
      if (names.length >= MAX_NAMES) return;
    }
    if (end === header.length) return;
    start = end + 1;
  }
}
