import { createHash } from 'node:crypto';
import type { DigestData } from '../../schemas/digest.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { htmlEscape, htmlText } from '../text/html.js';
import { beforeAfter, formatCount, formatDay, formatShare, formatTime, shortGroup, trend } from './format.js';
import { horizontalBars, type Series, stackedColumns } from './svg-charts.js';

/**
 * DigestData -> one self-contained HTML file: inline SVG charts, one stylesheet, no script, no
 * external resource. A Content-Security-Policy meta allows nothing but that stylesheet (by hash),
 * so even a value that escaped escaping could neither run nor load anything.
 */

function reproposedNote(data: DigestData, id: string): string {
  const again = data.decisions?.reproposed.find((r) => r.suggestionId === id);
  return again ? `<br><em>${htmlText(again.decision.note, 400)}</em>` : '';
}

const VERDICT_SERIES: Series[] = [
  { className: 'v-fp', label: 'likely false positive' },
  { className: 'v-attack', label: 'likely attack' },
  { className: 'v-uncertain', label: 'uncertain' },
  { className: 'v-none', label: 'not classified' },
];

const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; color: #1d232a; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 32px 0 8px; }
.meta { color: #5b6470; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.card { border: 1px solid #d8dde3; border-radius: 6px; padding: 10px 12px; }
.card .n { font-size: 1.5rem; font-weight: 600; } .card .t { color: #5b6470; font-size: .85rem; }
.up { color: #b03a2e; } .down { color: #1e8449; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e8ec; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85rem; background: #f3f5f7; padding: 0 3px; word-break: break-all; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #1d232a; } svg text.axis { fill: #5b6470; font-size: 11px; }
svg text.empty { fill: #5b6470; font-style: italic; }
svg .grid { stroke: #e5e8ec; } svg .baseline { stroke: #8a939d; }
.v-fp { fill: #e0a030; } .v-attack { fill: #c0392b; } .v-uncertain { fill: #7f8c8d; } .v-none { fill: #c8ced4; }
.none { color: #5b6470; font-style: italic; }
footer { margin-top: 40px; color: #5b6470; font-size: .8rem; }
`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export const REPORT_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

export function htmlReport(data: DigestData): string {
  const zone = data.timeZone;
  const day = formatDay(data.window.to, zone);
  const body = [
    `<header><h1>waftune digest · ${htmlEscape(day)}</h1><p class="meta">${htmlEscape(formatTime(data.window.from, zone))} – ` +
      `${htmlEscape(formatTime(data.window.to, zone))} ${htmlText(zone, 60)} · ${formatCount(data.fleet.sites)} sites, ` +
      `${formatCount(data.fleet.webAcls)} web ACLs · engine ${htmlEscape(data.engine)} · generated ${htmlEscape(data.generatedAt)}</p></header>`,
    totals(data),
    '<h2>Blocks over time by verdict</h2>',
    stackedColumns(
      'chart-over-time',
      'Blocked requests per hour by verdict',
      VERDICT_SERIES,
      data.blocksOverTime.map((b) => ({
        label: formatTime(b.start, zone).slice(11, 16),
        title: formatTime(b.start, zone),
        values: [b['likely-false-positive'], b['likely-attack'], b.uncertain, b.unclassified],
      })),
      Math.max(1, Math.ceil(data.blocksOverTime.length / 12)),
    ),
    '<h2>Top rules</h2>',
    horizontalBars(
      'chart-top-rules',
      'Blocked requests per rule',
      VERDICT_SERIES,
      data.topRules.map((r) => {
        const group = shortGroup(r.ruleGroup);
        return {
          label: group ? `${group}:${r.ruleId}` : r.ruleId,
          values: [r.falsePositives, r.attacks, Math.max(0, r.blocked - r.falsePositives - r.attacks)],
        };
      }),
    ),
    '<h2>Top sites</h2>',
    horizontalBars(
      'chart-top-sites',
      'Blocked requests per site',
      VERDICT_SERIES,
      data.topSites.map((s) => ({
        label: s.host,
        values: [s.falsePositives, s.attacks, Math.max(0, s.blocked - s.falsePositives - s.attacks)],
      })),
    ),
    '<h2>Top false-positive candidates</h2>',
    table(
      ['Site', 'Rule', 'Path', 'Blocks', 'IPs', 'Logged in', 'Fix'],
      data.fpCandidates.map((c) => [
        code(c.host),
        code(rule(c.ruleGroup, c.ruleId)),
        code(c.path, 300),
        num(c.blocked),
        num(c.distinctIps),
        c.loggedInShare === null
          ? '<td class="n">-</td>'
          : `<td class="n">${formatShare(c.loggedInShare)}</td>`,
        c.suggestionId ? code(`waftune apply ${c.suggestionId}`) : '<td>-</td>',
      ]),
    ),
    '<h2>Attack sources across sites</h2>',
    table(
      ['IP', 'Country', 'ASN', 'Requests', 'Blocked', 'Sites', 'Signals', 'Fix'],
      data.attackSources.map((s) => [
        code(s.clientIp),
        cell(s.country),
        cell(s.asn),
        num(s.requests),
        num(s.blocked),
        num(s.sites),
        `<td>${s.signals.map((x) => `<code>${htmlText(x, 60)}</code>`).join(' ')}</td>`,
        s.suggestionId ? code(`waftune apply ${s.suggestionId}`) : '<td>-</td>',
      ]),
    ),
    '<h2>Pending suggestions</h2>',
    table(
      ['Id', 'What', 'Evidence', 'Confidence', 'Apply'],
      data.pendingSuggestions.map((p) => [
        code(p.suggestion.id),
        `<td>${describe(p.suggestion)}${reproposedNote(data, p.suggestion.id)}</td>`,
        `<td>${evidence(p.suggestion)}</td>`,
        `<td class="n">${formatShare(p.suggestion.confidence)}</td>`,
        code(p.applyCommand),
      ]),
    ),
    `<h2>Declined suggestions (held back${data.decisions ? `; proposed again when their evidence grows x${data.decisions.factor}` : ''})</h2>`,
    table(
      ['Id', 'What', 'Decision'],
      (data.decisions?.held ?? []).map((h) => [
        code(h.suggestionId),
        cell(h.summary, 300),
        cell(h.decision.note, 400),
      ]),
    ),
    '<h2>Applied since the last digest</h2>',
    table(
      ['Change', 'Applied', 'What', 'Blocks before → after', 'Window'],
      data.appliedChanges.map((c) => [
        code(c.changeId),
        `<td>${htmlEscape(formatTime(c.appliedAt, zone))}</td>`,
        cell(c.summary, 300),
        `<td class="n">${htmlEscape(beforeAfter(c.blockedBefore, c.blockedAfter))}</td>`,
        `<td class="n">${formatCount(c.windowHours)} h</td>`,
      ]),
    ),
    '<footer>Every value taken from WAF logs is shown as text: it is attacker-written.</footer>',
  ].join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>waftune digest · ${htmlEscape(day)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function totals(data: DigestData): string {
  const t = data.totals;
  const a = data.previous7DayAverage;
  const days = data.previousDays;
  const card = (label: string, value: number, average: number) => {
    const tr = trend(value, average, days);
    const cls =
      tr.direction === 'up' || tr.direction === 'new' ? 'up' : tr.direction === 'down' ? 'down' : '';
    return `<div class="card"><div class="t">${htmlEscape(label)}</div><div class="n">${formatCount(value)}</div><div class="t ${cls}">${htmlEscape(tr.text)}</div></div>`;
  };
  const v = t.blockedByVerdict;
  const va = a.blockedByVerdict;
  return `<section class="cards" id="totals">${[
    card('Requests', t.requests, a.requests),
    card('Blocked', t.blocked, a.blocked),
    card('Likely false positives', v['likely-false-positive'], va['likely-false-positive']),
    card('Likely attacks', v['likely-attack'], va['likely-attack']),
    card('Uncertain', v.uncertain, va.uncertain),
    card('Not classified', v.unclassified, va.unclassified),
    card('CAPTCHA + challenge', t.captcha + t.challenge, a.captcha + a.challenge),
    card('Counted only', t.counted, a.counted),
  ].join('')}</section>`;
}

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  const head = headers.map((h) => `<th>${htmlEscape(h)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

const code = (value: unknown, max = 200) => `<td><code>${htmlText(value, max)}</code></td>`;
const cell = (value: unknown, max = 200) => `<td>${value === null ? '-' : htmlText(value, max)}</td>`;
const num = (n: number) => `<td class="n">${formatCount(n)}</td>`;

function rule(ruleGroup: string | null, ruleId: string): string {
  const group = shortGroup(ruleGroup);
  return group ? `${group}:${ruleId}` : ruleId;
}

function describe(s: Suggestion): string {
  if (s.kind === 'rule-override') {
    const scope = [
      ...(s.scope.paths ?? []).map(
        (p) => `${p.match === 'EXACTLY' ? '' : 'starts with '}<code>${htmlText(p.value, 200)}</code>`,
      ),
      ...(s.scope.methods ?? []).map((m) => `<code>${htmlText(m, 20)}</code>`),
      ...(s.scope.hosts ?? []).map((h) => `<code>${htmlText(h, 100)}</code>`),
      ...(s.scope.query
        ? [`query ${s.scope.query.match.toLowerCase()} <code>${htmlText(s.scope.query.value, 100)}</code>`]
        : []),
    ];
    return (
      `Let <code>${htmlText(rule(s.ruleGroup, s.ruleId), 120)}</code> through for ${scope.join(', ') || 'every request'} ` +
      `on ${formatCount(s.webAcls.length)} web ACLs`
    );
  }
  const shown = s.addresses
    .slice(0, 5)
    .map((a) => `<code>${htmlText(a, 45)}</code>`)
    .join(' ');
  return `Block ${shown}${s.addresses.length > 5 ? ` +${s.addresses.length - 5}` : ''} for ${s.expiresAfterDays} days`;
}

function evidence(s: Suggestion): string {
  const reasons = s.reasons
    .slice(0, 3)
    .map((r) => `<br>${htmlText(r, 200)}`)
    .join('');
  if (s.kind === 'rule-override') {
    return (
      `${formatCount(s.evidence.blockedRequests)} blocked from ${formatCount(s.evidence.distinctIps)} IPs on ` +
      `${formatCount(s.evidence.sites)} sites; would allow ${formatCount(s.impact.wouldAllow)} ` +
      `(${formatCount(s.impact.wouldAllowFromAttackers)} from attackers)${reasons}`
    );
  }
  return `${formatCount(s.evidence.requests)} requests, ${formatCount(s.evidence.blockedRequests)} blocked on ${formatCount(s.evidence.sites)} sites${reasons}`;
}
