/**
 * Makes a value from a WAF log inert on a terminal: every C0/C1 control character (ESC, BEL, CR,
 * backspace, ...), DEL, and the Unicode bidi overrides and line separators that can reorder or
 * fake output are replaced by a visible escape, and long values are cut.
 *
 * Hand-written: strip-ansi only removes well-formed ANSI sequences, but a lone ESC, a CR that
 * rewrites the line or a bidi override are just as harmful.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(value: unknown, maxLength = 200): string {
  if (value === null || value === undefined) return '-';
  let text = String(value);
  if (text.length > maxLength) text = `${text.slice(0, maxLength)}…`;
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
