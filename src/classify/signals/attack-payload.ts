import type { RequestSignal } from '../signal.js';

/** Tokens of SQL injection, XSS, path traversal, RFI and template/JNDI injection. */
const PAYLOAD = new RegExp(
  [
    String.raw`union[\s+/*()]+(all[\s+/*()]+)?select`,
    String.raw`\b(sleep|benchmark|pg_sleep|extractvalue|updatexml)\s*\(`,
    String.raw`'\s*(or|and)\s*'?\d+'?\s*=\s*'?\d+`,
    String.raw`\bor\s+1\s*=\s*1\b`,
    'information_schema',
    String.raw`\.\.[/\\]`,
    '/etc/(passwd|shadow|hosts)',
    String.raw`<\s*script`,
    String.raw`\bon(error|load|mouseover|focus)\s*=`,
    'javascript:',
    '(php|data|expect|phar|zip|file)://',
    String.raw`base64_decode\s*\(`,
    String.raw`\$\{jndi:`,
    String.raw`\b(cmd|exec|system|passthru|shell_exec)\s*\(`,
    String.raw`169\.254\.169\.254`,
  ].join('|'),
  'i',
);

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function hasAttackPayload(text: string): boolean {
  if (text.length === 0) return false;
  if (PAYLOAD.test(text)) return true;
  // Most URLs carry no escapes: decoding them could not reveal anything new.
  return (text.includes('%') || text.includes('+')) && PAYLOAD.test(decode(text));
}

export const attackPayload: RequestSignal = {
  id: 'attack-payload',
  stage: 'request',
  weight: 3,
  reason: 'the URL carries an injection payload (SQL, XSS, traversal, RFI)',
  applies: (e) => hasAttackPayload(e.query) || hasAttackPayload(e.path),
};
