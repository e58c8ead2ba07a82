import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReport } from '../../src/notify/html-report.js';
import { HOSTILE, makeDigest } from './digest-fixture.js';

/**
 * Opens the report in headless Chromium (Debian's `chromium` package, which `.ci/run` installs).
 * Without it this test is skipped and says so: it does not pass silently.
 */
const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing) {
  console.warn(`SKIPPED: HTML report browser test: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

describe.skipIf(missing)('HTML report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders the charts with no script error, no CSP violation, no request and no injected element', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));

    await page.setContent(htmlReport(makeDigest({ hostile: true, items: HOSTILE.length })), {
      waitUntil: 'load',
    });
    // Give an injected handler (onerror, onload) the chance to run before looking.
    await page.waitForTimeout(200);

    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const bars = [...svg.querySelectorAll('rect')].filter(
          (r) => r.getBoundingClientRect().height > 0 && r.getBoundingClientRect().width > 0,
        );
        return { id: svg.id, width: box.width, height: box.height, bars: bars.length };
      }),
    );
    expect(charts.map((c) => c.id)).toEqual(['chart-over-time', 'chart-top-rules', 'chart-top-sites']);
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.bars, chart.id).toBeGreaterThan(3);
    }

    // A string, not a function: the project compiles without the DOM library.
    const dom = (await page.evaluate(`(() => ({
      title: document.title,
      scripts: document.querySelectorAll('script').length,
      injected: document.querySelectorAll('img, iframe, object, embed, link, svg svg, foreignObject, body style').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
      // The one stylesheet applied: the CSP let it through by its hash.
      fpFill: getComputedStyle(document.querySelector('rect.v-fp')).fill,
      bodyVisible: getComputedStyle(document.body).display,
      text: document.body.innerText,
    }))()`)) as {
      title: string;
      scripts: number;
      injected: number;
      handlers: string[];
      fpFill: string;
      bodyVisible: string;
      text: string;
    };
    expect(dom.title).toBe('waftune digest · 2025-05-02');
    expect(dom.scripts).toBe(0);
    expect(dom.injected).toBe(0);
    expect(dom.handlers).toEqual([]);
    expect(dom.fpFill).toBe('rgb(224, 160, 48)');
    expect(dom.bodyVisible).toBe('block');
    // The hostile values are there, as text.
    expect(dom.text).toContain('<script>document.title="pwned"</script>');
    expect(dom.text).toContain('<img src=x onerror=');
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});
