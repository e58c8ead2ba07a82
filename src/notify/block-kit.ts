/**
 * The few Block Kit shapes waftune sends, and Slack's documented limits for them. A message over a
 * limit is rejected by Slack as a whole (`invalid_blocks`), so renderers budget against these and
 * `blockKitViolations` checks the result.
 */

export const LIMITS = {
  blocks: 50,
  /** Section `text`, context element text. */
  text: 3000,
  headerText: 150,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  url: 3000,
  blockId: 255,
  actionId: 255,
  /** Top-level `text` (the notification fallback); Slack truncates past 40,000, we keep it short. */
  fallbackText: 3000,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

/** `verbatim: true` stops Slack from auto-linking URLs and parsing channel names in the text. */
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
  verbatim?: boolean;
}

export interface Button {
  type: 'button';
  text: PlainText;
  action_id: string;
  url?: string;
}

export type Block =
  | { type: 'header'; text: PlainText; block_id?: string }
  | { type: 'section'; text?: Mrkdwn; fields?: Mrkdwn[]; block_id?: string }
  | { type: 'context'; elements: Array<Mrkdwn | PlainText>; block_id?: string }
  | { type: 'divider'; block_id?: string }
  | { type: 'actions'; elements: Button[]; block_id?: string };

export interface SlackMessage {
  /** Notification fallback, shown where blocks cannot be. */
  text: string;
  blocks: Block[];
  unfurl_links?: boolean;
  unfurl_media?: boolean;
}

export const mrkdwn = (text: string): Mrkdwn => ({ type: 'mrkdwn', text, verbatim: true });
export const plain = (text: string): PlainText => ({ type: 'plain_text', text, emoji: false });

/** Every way the message breaks a Block Kit limit; empty when Slack would accept it. */
export function blockKitViolations(message: SlackMessage): string[] {
  const out: string[] = [];
  const tooLong = (where: string, text: string, max: number) => {
    if (text.length > max) out.push(`${where}: ${text.length} characters, limit ${max}`);
    if (text.length === 0) out.push(`${where}: empty text`);
  };
  tooLong('text', message.text, LIMITS.fallbackText);
  if (message.blocks.length > LIMITS.blocks) {
    out.push(`${message.blocks.length} blocks, limit ${LIMITS.blocks}`);
  }
  message.blocks.forEach((block, i) => {
    const at = `blocks[${i}] (${block.type})`;
    if (block.block_id !== undefined) tooLong(`${at}.block_id`, block.block_id, LIMITS.blockId);
    switch (block.type) {
      case 'header':
        tooLong(`${at}.text`, block.text.text, LIMITS.headerText);
        if (block.text.type !== 'plain_text') out.push(`${at}: header text must be plain_text`);
        break;
      case 'section':
        if (!block.text && !block.fields?.length) out.push(`${at}: needs text or fields`);
        if (block.text) tooLong(`${at}.text`, block.text.text, LIMITS.text);
        if (block.fields) {
          if (block.fields.length > LIMITS.fields)
            out.push(`${at}: ${block.fields.length} fields, limit ${LIMITS.fields}`);
          block.fields.forEach((f, j) => {
            tooLong(`${at}.fields[${j}]`, f.text, LIMITS.fieldText);
          });
        }
        break;
      case 'context':
        if (block.elements.length === 0) out.push(`${at}: no elements`);
        if (block.elements.length > LIMITS.contextElements) {
          out.push(`${at}: ${block.elements.length} elements, limit ${LIMITS.contextElements}`);
        }
        block.elements.forEach((e, j) => {
          tooLong(`${at}.elements[${j}]`, e.text, LIMITS.text);
        });
        break;
      case 'actions':
        if (block.elements.length > LIMITS.actionsElements) {
          out.push(`${at}: ${block.elements.length} elements, limit ${LIMITS.actionsElements}`);
        }
        block.elements.forEach((e, j) => {
          tooLong(`${at}.elements[${j}].text`, e.text.text, LIMITS.buttonText);
          tooLong(`${at}.elements[${j}].action_id`, e.action_id, LIMITS.actionId);
          if (e.url !== undefined) tooLong(`${at}.elements[${j}].url`, e.url, LIMITS.url);
        });
        break;
      case 'divider':
        break;
    }
  });
  return out;
}

/**
 * Packs lines into texts of at most `max` characters, joined by newlines, never splitting a line
 * (a split could cut an escape or a code span in half). A line longer than `max` on its own is cut.
 */
export function packLines(lines: readonly string[], max: number = LIMITS.text): string[] {
  const texts: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = raw.length > max ? `${raw.slice(0, max - 1)}…` : raw;
    if (current.length === 0) current = line;
    else if (current.length + 1 + line.length <= max) current += `\n${line}`;
    else {
      texts.push(current);
      current = line;
    }
  }
  if (current.length > 0) texts.push(current);
  return texts;
}
