import type { EvidenceLabels } from '../../schemas/waftune-labels.js';
import { cutCodePoints } from '../classify/fold.js';

/** What waftune keeps of the Cookie headers: names only; values never leave this function. */
export interface CookieFacts {
  names: string[];
  wpSession: boolean;
  redacted: boolean;
}

const MAX_NAMES = 40;
const MAX_NAME_LENGTH = 128;

/**
 * `evidence`: what waftune's evidence rules labelled (schemas/waftune-labels.ts). WAF inspected the
 * real header, so where the log redacts it the label still says whether a login cookie was sent.
 */
export function cookieFacts(headerValues: readonly string[], evidence?: EvidenceLabels): CookieFacts {
  const names: string[] = [];
  let redacted = false;
  let wpSession = false;
  for (const header of headerValues) {
    if (header === 'REDACTED') {
      redacted = true;
      continue;
    }
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      const name = (eq === -1 ? part : part.slice(0, eq)).trim();
      if (!name) continue;
      if (name.startsWith('wordpress_logged_in_')) wpSession = true;
      if (names.length < MAX_NAMES) names.push(cutCodePoints(name, MAX_NAME_LENGTH));
    }
  }
  return { names, wpSession: wpSession || Boolean(evidence?.wpLoggedIn), redacted };
}
