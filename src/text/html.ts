import { terminalSafe } from './terminal.js';

/**
 * Makes a value from a WAF log inert in HTML (element content and quoted attribute values, SVG
 * included). All five significant characters become entities, so no tag, attribute or entity can
 * be opened by the value; control characters and bidi overrides become visible escapes (via
 * `terminalSafe`) so a value cannot reorder the text around it; the length is bounded.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text we wrote ourselves (no length bound, no control-character rewriting). */
export function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

/** An attacker-written value, made inert for HTML text or a quoted attribute. */
export function htmlText(value: unknown, maxLength = 200): string {
  return htmlEscape(terminalSafe(value, maxLength));
}
