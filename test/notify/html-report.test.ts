import { describe, expect, it } from 'vitest';
import { htmlReport, REPORT_CSP } from '../../src/notify/html-report.js';
import { htmlEscape, htmlText } from '../../src/text/html.js';
import { HOSTILE, makeDigest } from './digest-fixture.js';

describe('html escaping', () => {
  it('escapes the five significant characters', () => {
    expect(htmlEscape(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('makes control characters and bidi overrides visible and bounds the length', () => {
    expect(htmlText('a\u202eb\nc')).toBe('a\\u202eb\\x0ac');
    expect(htmlText('x'.repeat(300), 100)).toHaveLength(101);
    expect(htmlText(null)).toBe('-');
  });
});

describe('HTML report', () => {
  const html = htmlReport(makeDigest({ hostile: true, items: HOSTILE.length }));

  it('is one self-contained file: a strict CSP, no script, no external resource, no event handler', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*';/);
    // Matched against tags only: escaped values have no raw <, so what a tag holds is ours.
    const tags = html.match(/<[a-z!/][^>]*>/gi) ?? [];
    expect(tags.filter((t) => /^<(script|img|iframe|link|object|embed|foreignObject)\b/i.test(t))).toEqual(
      [],
    );
    expect(tags.filter((t) => /\s(src|href|xlink:href)=/i.test(t))).toEqual([]);
    expect(tags.filter((t) => /\son[a-z]+=/i.test(t))).toEqual([]);
    expect(tags.filter((t) => /^<style/i.test(t))).toHaveLength(1);
  });

  it('shows hostile values as text only', () => {
    for (const value of HOSTILE) {
      const escaped = htmlText(value);
      expect(html.includes(escaped), value).toBe(true);
    }
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    expect(html).not.toContain('</style><style>body');
  });

  it('has the three charts, the lists and the apply commands', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(3);
    for (const id of ['chart-over-time', 'chart-top-rules', 'chart-top-sites'])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<code>waftune apply ro-000000</code>');
    expect(html).toContain('400 → 3 (−99%)');
  });
});
