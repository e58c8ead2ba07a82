import { htmlEscape, htmlText } from '../text/html.js';
import { formatCount } from './format.js';

/**
 * Pure inline-SVG charts for the HTML report: no script, no style attributes (the report's CSP
 * allows only its one hashed stylesheet), colours by class. Every label goes through `htmlText`.
 */

export interface Series {
  /** CSS class that colours the series, e.g. `v-fp`. */
  className: string;
  label: string;
}

export interface StackedColumn {
  label: string;
  /** Tooltip heading for the column. */
  title: string;
  values: number[];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A rounded "nice" top for the axis: 1, 2, 5 × 10^k at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function legend(series: readonly Series[], x: number, y: number): string {
  return series
    .map(
      (s, i) =>
        `<g transform="translate(${x + i * 150},${y})"><rect class="${s.className}" width="12" height="12"></rect>` +
        `<text x="18" y="11" class="legend">${htmlEscape(s.label)}</text></g>`,
    )
    .join('');
}

/** Vertical stacked columns (blocks over time by verdict). */
export function stackedColumns(
  id: string,
  title: string,
  series: readonly Series[],
  columns: readonly StackedColumn[],
  labelEvery = 3,
): string {
  const width = 800;
  const height = 280;
  const left = 56;
  const right = 12;
  const top = 30;
  const bottom = 44;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...columns.map((c) => c.values.reduce((a, b) => a + b, 0))));
  const step = columns.length > 0 ? plotW / columns.length : plotW;
  const barW = Math.max(1, step * 0.8);
  const parts: string[] = [];
  for (const frac of [0, 0.5, 1]) {
    const y = round(top + plotH - frac * plotH);
    parts.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${y}" y2="${y}"></line>`);
    parts.push(
      `<text class="axis" x="${left - 6}" y="${y + 4}" text-anchor="end">${formatCount(max * frac)}</text>`,
    );
  }
  columns.forEach((column, i) => {
    const x = round(left + i * step + (step - barW) / 2);
    let y = top + plotH;
    const total = column.values.reduce((a, b) => a + b, 0);
    const tip = `${column.title}: ${formatCount(total)} blocked${column.values
      .map((v, j) => (v > 0 ? `, ${formatCount(v)} ${series[j]?.label ?? ''}` : ''))
      .join('')}`;
    parts.push(`<g class="column"><title>${htmlText(tip, 300)}</title>`);
    column.values.forEach((v, j) => {
      if (v <= 0) return;
      const h = (v / max) * plotH;
      y -= h;
      parts.push(
        `<rect class="${series[j]?.className ?? ''}" x="${x}" y="${round(y)}" width="${round(barW)}" height="${round(Math.max(h, 0.5))}"></rect>`,
      );
    });
    parts.push('</g>');
    if (i % labelEvery === 0) {
      parts.push(
        `<text class="axis" x="${round(left + i * step + step / 2)}" y="${height - bottom + 16}" text-anchor="middle">${htmlText(column.label, 12)}</text>`,
      );
    }
  });
  parts.push(
    `<line class="baseline" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"></line>`,
  );
  if (columns.every((c) => c.values.every((v) => v === 0))) {
    parts.push(
      `<text class="empty" x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle">no blocks in this window</text>`,
    );
  }
  parts.push(legend(series, left, height - 16));
  return svg(id, title, width, height, parts.join(''));
}

export interface HorizontalBar {
  label: string;
  values: number[];
}

/** Horizontal stacked bars with a label per row (top rules, top sites). */
export function horizontalBars(
  id: string,
  title: string,
  series: readonly Series[],
  bars: readonly HorizontalBar[],
): string {
  const width = 800;
  const rowH = 24;
  const left = 330;
  const right = 70;
  const top = 10;
  const height = top + Math.max(1, bars.length) * rowH + 34;
  const plotW = width - left - right;
  const max = Math.max(1, ...bars.map((b) => b.values.reduce((a, c) => a + c, 0)));
  const parts: string[] = [];
  bars.forEach((bar, i) => {
    const y = top + i * rowH;
    const total = bar.values.reduce((a, b) => a + b, 0);
    parts.push(
      `<g class="bar"><title>${htmlText(`${bar.label}: ${formatCount(total)} blocked`, 300)}</title>`,
    );
    parts.push(
      `<text class="label" x="${left - 8}" y="${y + 16}" text-anchor="end">${htmlText(bar.label, 46)}</text>`,
    );
    let x = left;
    bar.values.forEach((v, j) => {
      if (v <= 0) return;
      const w = (v / max) * plotW;
      parts.push(
        `<rect class="${series[j]?.className ?? ''}" x="${round(x)}" y="${y + 4}" width="${round(Math.max(w, 0.5))}" height="${rowH - 8}"></rect>`,
      );
      x += w;
    });
    parts.push(`<text class="value" x="${round(x + 6)}" y="${y + 16}">${formatCount(total)}</text></g>`);
  });
  if (bars.length === 0) {
    parts.push(
      `<text class="empty" x="${width / 2}" y="${top + 16}" text-anchor="middle">no blocks in this window</text>`,
    );
  }
  parts.push(legend(series, 20, height - 16));
  return svg(id, title, width, height, parts.join(''));
}

function svg(id: string, title: string, width: number, height: number, body: string): string {
  return (
    `<svg class="chart" id="${htmlEscape(id)}" role="img" aria-labelledby="${htmlEscape(id)}-title" viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title id="${htmlEscape(id)}-title">${htmlEscape(title)}</title>${body}</svg>`
  );
}
