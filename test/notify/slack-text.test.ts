import { describe, expect, it } from 'vitest';
import { slackCode, slackEscape, slackPlain, slackText } from '../../src/text/slack.js';
import { HOSTILE } from './digest-fixture.js';
import { activeMrkdwn } from './mrkdwn-check.js';

describe('slack escaping', () => {
  it('escapes exactly &, < and > as Slack documents', () => {
    expect(slackEscape('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(slackEscape('&amp;')).toBe('&amp;amp;');
  });

  it('disarms mentions and links: no literal < survives', () => {
    expect(slackCode('<!channel>')).toBe('`&lt;!channel&gt;`');
    expect(slackCode('<@U024BE7LH>')).toBe('`&lt;@U024BE7LH&gt;`');
    expect(slackCode('<http://x|y>')).toBe('`&lt;http://x|y&gt;`');
    expect(slackText('<!here>')).toBe('&lt;!here&gt;');
  });

  it('keeps code-span values verbatim except a backtick, which would close the span', () => {
    expect(slackCode('SizeRestrictions_BODY')).toBe('`SizeRestrictions_BODY`');
    expect(slackCode('a`b')).toBe('`aˋb`');
    expect(slackCode('')).toBe('` `');
    expect(slackCode(null)).toBe('`-`');
  });

  it('turns formatting characters, bare mentions and URLs in prose into inert look-alikes', () => {
    const out = slackText('*bold* _it_ ~s~ `c` @channel https://x.example www.y.example');
    expect(out).not.toMatch(/[*_~`]/);
    expect(out).not.toMatch(/@channel/);
    expect(out).not.toMatch(/:\/\//);
    expect(out).not.toMatch(/www\./);
    expect(out).toContain('∗bold∗');
  });

  it('makes newlines and bidi overrides visible and bounds the length', () => {
    expect(slackCode('a\nb')).toBe('`a\\x0ab`');
    expect(slackText('\u202eevil')).toBe('\\u202eevil');
    expect(slackCode('x'.repeat(500), 50)).toHaveLength(50 + 1 + 2);
    expect(slackPlain('y'.repeat(500), 150).length).toBeLessThanOrEqual(150);
  });

  it('leaves nothing active for every hostile value, in either form', () => {
    for (const value of HOSTILE) {
      expect(activeMrkdwn(`• ${slackCode(value)} ${slackText(value)}`, new Set())).toEqual([]);
    }
  });
});
