import { describe, expect, it } from 'vitest';
import { blockKitViolations, LIMITS } from '../../src/notify/block-kit.js';
import { digestBlocks } from '../../src/notify/digest-blocks.js';
import { HOSTILE, makeDigest } from './digest-fixture.js';
import { activeMrkdwn, messageTexts } from './mrkdwn-check.js';

const OUR_BOLD = new Set([
  'Likely false positives',
  'Likely attacks',
  'Uncertain',
  'Not classified',
  'CAPTCHA + challenge',
  'Counted only',
  'Top false-positive candidates (site · rule · path)',
  'Attack sources across sites',
  'Pending suggestions',
  'Applied since the last digest (blocks before → after)',
  '30,000',
]);

const allText = (m: ReturnType<typeof digestBlocks>) =>
  messageTexts(m)
    .map((t) => t.text)
    .join('\n');

describe('digest as Slack Block Kit', () => {
  it('shows totals with the trend against the 7-day average, the lists and the apply commands', () => {
    const message = digestBlocks(makeDigest());
    expect(blockKitViolations(message)).toEqual([]);
    const text = allText(message);
    expect(message.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'waftune digest · 2025-05-02' },
    });
    expect(text).toContain('*30,000* requests blocked of 1,234,567 · ▲ 50% vs 7-day avg 20,000');
    expect(text).toContain('*Likely false positives*\n2,500 · ▲ 150% vs 7-day avg 1,000');
    expect(text).toMatch(
      /`site0\.example\.com` `CommonRuleSet:SizeRestrictions_BODY` `\/wp-admin\/post\.php\?p=0` — 400 blocks from 12 IPs, 90% logged in → `waftune apply ro-000000`/,
    );
    expect(text).toContain('`203.0.113.0` (`DE`, `AS64500`) — 5,000 requests on 40 sites, 4,900 blocked');
    expect(text).toContain('`waftune apply ip-000001`');
    expect(text).toContain('400 → 3 (−99%) in 12 h before vs after');
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [{ url: 'https://reports.example.com/digest/2025-05-02.html?sig=a&b=c' }],
    });
    expect(text).not.toContain('Cut to fit');
  });

  it('keeps hostile log values inert: no mention, link, formatting or raw < > reaches Slack', () => {
    const message = digestBlocks(makeDigest({ hostile: true, items: HOSTILE.length }), {
      maxItems: HOSTILE.length,
    });
    expect(blockKitViolations(message)).toEqual([]);
    for (const { where, text, mrkdwn } of messageTexts(message)) {
      if (mrkdwn) expect(activeMrkdwn(text, OUR_BOLD), where).toEqual([]);
    }
    const text = allText(message);
    expect(text).toContain('`&lt;!channel&gt;site0.example.com`');
    expect(text).toContain('&lt;http://evil.example|click me&gt;');
    expect(message.text).not.toMatch(/[<>]/);
  });

  it('cuts long lists to fit 50 blocks and 3,000 characters per text, and says what was cut', () => {
    const data = makeDigest({ hostile: true, items: 400 });
    const message = digestBlocks(data, { maxItems: 400 });
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    for (const { text } of messageTexts(message)) expect(text.length).toBeLessThanOrEqual(LIMITS.text);
    const note = message.blocks.at(-1);
    expect(note?.type).toBe('context');
    const noteText = note?.type === 'context' ? (note.elements[0]?.text ?? '') : '';
    expect(noteText).toMatch(
      /^✂ Cut to fit Slack's limits \(50 blocks, 3,000 characters per text\): .*not shown\. The full report has everything\.$/,
    );
    // Whatever was cut is counted: shown bullets + cut counts = all items.
    const shown = allText(message)
      .split('\n')
      .filter((l) => l.startsWith('• ')).length;
    const cut = [...(noteText.split('): ')[1] ?? '').matchAll(/([\d,]+) [a-z -]+s(?=,| not shown)/g)].reduce(
      (n, m) => n + Number(m[1]?.replace(/,/g, '')),
      0,
    );
    expect(shown + cut).toBe(400 * 3 + data.appliedChanges.length);
    // Every list got a share of the blocks, and the report link survived the cut.
    for (const title of ['Top false-positive', 'Attack sources', 'Pending suggestions', 'Applied since']) {
      expect(allText(message)).toContain(`*${title}`);
    }
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(true);
  });

  it('names items past the per-list limit with an "and N more" line', () => {
    const message = digestBlocks(makeDigest({ items: 25 }), { maxItems: 10 });
    expect(allText(message)).toContain('…and 15 more false-positive candidates in the full report');
    expect(blockKitViolations(message)).toEqual([]);
  });

  it('reports a trend without history plainly and leaves out a link that is not http(s)', () => {
    // The schema already refuses such a URL; the renderer does not rely on it.
    const data = { ...makeDigest(), reportUrl: 'javascript:alert(1)', previousDays: 0 };
    const message = digestBlocks(data);
    expect(allText(message)).toContain('requests blocked of 1,234,567 · no history yet');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});
