import { any } from '../condition.js';
import { lowerAscii, percentDecode } from '../fold.js';
import { pattern, toRegExp } from '../pattern.js';
import { requestSignal } from '../request-signal.js';

/**
 * Tokens of SQL injection, XSS, path traversal, RFI and template/JNDI injection, on the URL as
 * sent and percent-decoded, both ASCII lower-cased. `(^|[^a-z0-9_])` stands for a word boundary.
 */
const PAYLOAD = pattern(
  [
    String.raw`union[\s+/*()]+(all[\s+/*()]+)?select`,
    String.raw`(^|[^a-z0-9_])(sleep|benchmark|pg_sleep|extractvalue|updatexml)\s*\(`,
    String.raw`'\s*(or|and)\s*'?\d+'?\s*=\s*'?\d+`,
    String.raw`(^|[^a-z0-9_])or\s+1\s*=\s*1([^a-z0-9_]|$)`,
    'information_schema',
    String.raw`\.\.[/\\]`,
    '/etc/(passwd|shadow|hosts)',
    String.raw`<\s*script`,
    String.raw`(^|[^a-z0-9_])on(error|load|mouseover|focus)\s*=`,
    'javascript:',
    '(php|data|expect|phar|zip|file)://',
    String.raw`base64_decode\s*\(`,
    String.raw`\$\{jndi:`,
    String.raw`(^|[^a-z0-9_])(cmd|exec|system|passthru|shell_exec)\s*\(`,
    String.raw`169\.254\.169\.254`,
  ].join('|'),
);

const PAYLOAD_RE = toRegExp(PAYLOAD);

/** The signal's test on any text (fleet signals read it on matched data): as sent and percent-decoded. */
export function hasAttackPayload(text: string): boolean {
  if (text.length === 0) return false;
  if (PAYLOAD_RE.test(lowerAscii(text))) return true;
  // Most texts carry no escapes: decoding them could not reveal anything new.
  return (text.includes('%') || text.includes('+')) && PAYLOAD_RE.test(lowerAscii(percentDecode(text)));
}

export const attackPayload = requestSignal({
  id: 'attack-payload',
  weight: 3,
  reason: 'the URL carries an injection payload (SQL, XSS, traversal, RFI)',
  when: any(
    { field: 'query', view: 'lower', matches: PAYLOAD },
    { field: 'query', view: 'decoded-lower', matches: PAYLOAD },
    { field: 'path', view: 'lower', matches: PAYLOAD },
    { field: 'path', view: 'decoded-lower', matches: PAYLOAD },
  ),
});
