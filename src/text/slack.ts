import { terminalSafe } from './terminal.js';

/**
 * Makes a value from a WAF log inert in Slack mrkdwn.
 *
 * Slack parses only three characters as control: `&`, `<`, `>`; every mention (`<!channel>`,
 * `<!here>`, `<@U123>`, `<#C123>`), link (`<http://x|y>`) and date token needs a literal `<`, so
 * escaping those three as entities disarms them all. What remains is formatting (`*bold*`,
 * `_italic_`, `~strike~`, `` `code` ``, `> quote`), bare URLs that Slack auto-links, and the legacy
 * plain-text `@channel`, which some delivery paths still expand.
 *
 * Two forms:
 * - `slackCode`: the value inside an inline code span. Nothing in a code span is formatted or
 *   auto-linked, and the characters keep their look, so a rule id like `SizeRestrictions_BODY` or a
 *   path can still be copied. A backtick in the value would end the span, so it becomes `ˋ`.
 * - `slackText`: for prose outside a code span; the formatting characters are swapped for
 *   look-alikes and URLs and `@channel` are broken with a zero-width space.
 *
 * Both first go through `terminalSafe`: control characters (a newline could start a `>` quote or
 * break the layout) and bidi overrides become visible escapes, and the length is bounded.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const LOOKALIKES: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };
const ZWSP = '\u200b';

/** Slack's own escaping rule: `&`, `<`, `>` as entities. */
export function slackEscape(text: string): string {
  return text.replace(/[&<>]/g, (ch) => ENTITIES[ch] ?? ch);
}

/** An attacker-written value as an inline code span: shown verbatim, never formatted or linked. */
export function slackCode(value: unknown, maxLength = 120): string {
  const text = terminalSafe(value, maxLength).replace(/`/g, 'ˋ');
  // An empty span renders as two literal backticks.
  return `\`${slackEscape(text.length > 0 ? text : ' ')}\``;
}

/** An attacker-written value as mrkdwn prose: no formatting, mention, link or auto-link survives. */
export function slackText(value: unknown, maxLength = 200): string {
  const text = terminalSafe(value, maxLength)
    .replace(/[*_~`]/g, (ch) => LOOKALIKES[ch] ?? ch)
    // Auto-linking needs `scheme://`, `www.` or a mail address; a zero-width space breaks each.
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`)
    .replace(/@/g, `@${ZWSP}`);
  return slackEscape(text);
}

/** Text for `plain_text` objects (headers, buttons): Slack does not parse these, only the length is bounded. */
export function slackPlain(value: unknown, maxLength: number): string {
  return terminalSafe(value, Math.max(1, maxLength - 1));
}
