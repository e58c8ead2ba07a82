import type { SlackMessage } from '../../src/notify/block-kit.js';

/** Every mrkdwn/plain text in a message, with where it sits. */
export function messageTexts(message: SlackMessage): Array<{ where: string; text: string; mrkdwn: boolean }> {
  const out: Array<{ where: string; text: string; mrkdwn: boolean }> = [
    { where: 'text', text: message.text, mrkdwn: true },
  ];
  message.blocks.forEach((b, i) => {
    if (b.type === 'header') out.push({ where: `${i}.header`, text: b.text.text, mrkdwn: false });
    if (b.type === 'section') {
      if (b.text) out.push({ where: `${i}.text`, text: b.text.text, mrkdwn: true });
      b.fields?.forEach((f, j) => {
        out.push({ where: `${i}.fields.${j}`, text: f.text, mrkdwn: true });
      });
    }
    if (b.type === 'context') {
      b.elements.forEach((e, j) => {
        out.push({ where: `${i}.context.${j}`, text: e.text, mrkdwn: e.type === 'mrkdwn' });
      });
    }
    if (b.type === 'actions') {
      b.elements.forEach((e, j) => {
        out.push({ where: `${i}.button.${j}`, text: e.text.text, mrkdwn: false });
      });
    }
  });
  return out;
}

/**
 * What Slack would act on in a mrkdwn text, outside inline code spans: control sequences (`<...>`:
 * mentions, links), formatting characters, bare mentions and URLs. A code span shows its content
 * verbatim, so only what is outside one counts. Returns the problems found.
 */
export function activeMrkdwn(text: string, allowedBold: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (/[<>]/.test(text)) problems.push(`raw < or > in ${JSON.stringify(text.slice(0, 80))}`);
  for (const line of text.split('\n')) {
    const ticks = line.split('`').length - 1;
    if (ticks % 2 !== 0) problems.push(`unbalanced code span in ${JSON.stringify(line)}`);
    const outside = line
      .split('`')
      .filter((_, i) => i % 2 === 0)
      .join(' ');
    const withoutBold = outside.replace(/\*([^*\n]+)\*/g, (_m, inner: string) => {
      if (!allowedBold.has(inner)) problems.push(`unexpected bold ${JSON.stringify(inner)}`);
      return '';
    });
    if (/[*_~]/.test(withoutBold.replace(/^_none_$/, '')))
      problems.push(`formatting character outside code: ${JSON.stringify(line)}`);
    if (/@(channel|here|everyone)/i.test(outside)) problems.push(`bare mention: ${JSON.stringify(line)}`);
    if (/:\/\//.test(outside) || /\bwww\./i.test(outside))
      problems.push(`auto-linkable URL: ${JSON.stringify(line)}`);
  }
  return problems;
}
