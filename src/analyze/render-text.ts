import pc from 'picocolors';
import type { Report } from '../../schemas/report.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { terminalSafe as safe } from '../text/terminal.js';

type Colors = ReturnType<typeof pc.createColors>;

const n = (v: number) => v.toLocaleString('en-US');
const pct = (v: number | null) => (v === null ? 'n/a (cookies redacted)' : `${Math.round(v * 100)}%`);

function table(rows: string[][], c: Colors): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  }
  return rows
    .map((r, ri) => {
      const line = r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i] ?? 0))).join('  ');
      return ri === 0 ? c.dim(line) : line;
    })
    .map((l) => `  ${l}`)
    .join('\n');
}

const visibleLength = (s: string) => [...s].length;
const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - visibleLength(s)));

const HEADER_WORDS = {
  EXACTLY: 'is',
  STARTS_WITH: 'starting',
  ENDS_WITH: 'ending',
  CONTAINS: 'containing',
} as const;

export function describeSuggestionTarget(s: Suggestion): string {
  if (s.kind === 'ip-block') {
    const behind = s.forwardedIpConfig
      ? `; by ${safe(s.forwardedIpConfig.headerName)} on ${s.forwardedIpConfig.webAcls.length} web ACL(s) behind a CDN`
      : '';
    return `block ${s.addresses.map((a) => safe(a)).join(', ')} for ${s.expiresAfterDays} days (attack evidence on ${s.evidence.sites} site(s)${behind})`;
  }
  const parts: string[] = [];
  if (s.scope.methods) parts.push(s.scope.methods.join('|'));
  if (s.scope.paths)
    parts.push(s.scope.paths.map((p) => `${p.value}${p.match === 'STARTS_WITH' ? '*' : ''}`).join(' , '));
  if (s.scope.query) parts.push(`?${s.scope.query.match === 'CONTAINS' ? '*' : ''}${s.scope.query.value}`);
  if (s.scope.hosts) parts.push(`on ${s.scope.hosts.length} host(s)`);
  for (const h of s.scope.headers ?? []) parts.push(`with ${h.name} ${HEADER_WORDS[h.match]} ${h.value}`);
  return `${safe(s.ruleId)} to Count for ${parts.map((p) => safe(p)).join(' ')}`;
}

/** The human report: every value from a log goes through `safe` (control and escape sequences made visible). */
export function renderReport(r: Report, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  const out: string[] = [];
  const h = (title: string) => out.push('', c.bold(c.cyan(title)));

  if (r.fleet.events === 0) {
    out.push(c.bold(`waftune analyze — no WAF log records in ${n(r.input.files)} file(s)`));
  } else {
    const inWindow = r.fleet.events === r.input.events ? '' : `; ${n(r.fleet.events)} in the window`;
    out.push(
      c.bold(`waftune analyze — ${safe(r.window.from)} .. ${safe(r.window.to)}`),
      `${n(r.input.events)} events from ${n(r.input.files)} file(s)${inWindow}: ${n(r.fleet.sites)} sites behind ${n(r.fleet.webAcls)} web ACL(s), ${n(r.fleet.clientIps)} client IPs`,
    );
  }

  const accounts = r.accounts ?? [];
  if (accounts.length > 1 || accounts.some((a) => a.name !== null)) {
    h('Per account');
    out.push(
      table(
        [
          ['account', 'name', 'web ACLs', 'sites', 'blocked', 'likely FP', 'likely attack', 'suggestions'],
          ...accounts.map((a) => [
            safe(a.account),
            safe(a.name ?? '-'),
            n(a.webAcls),
            n(a.sites),
            n(a.blocked),
            n(a.likelyFalsePositives),
            n(a.likelyAttacks),
            n(a.suggestions),
          ]),
        ],
        c,
      ),
    );
  }

  h('Requests by action');
  const actions = Object.entries(r.totals.byAction).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  out.push(table([['WAF action', 'requests'], ...actions.map(([a, v]) => [safe(a), n(v)])], c));
  if (r.totals.countedRequests > 0)
    out.push(`  of which counted by a rule that did not act (Count mode): ${n(r.totals.countedRequests)}`);
  const v = r.totals.byVerdict;
  out.push(
    `  verdicts on ${n(r.totals.classified)} blocked/counted/challenged requests: ` +
      `${c.yellow(`${n(v['likely-false-positive'])} likely false positive`)}, ` +
      `${c.red(`${n(v['likely-attack'])} likely attack`)}, ${n(v.uncertain)} uncertain`,
  );

  h('Top rules');
  out.push(
    table(
      [
        ['rule group', 'rule', 'action', 'requests', 'IPs', 'sites'],
        ...r.topRules.map((t) => [
          safe(shortGroup(t.ruleGroup)),
          safe(t.ruleId),
          safe(t.action),
          n(t.requests),
          n(t.clientIps),
          n(t.sites),
        ]),
      ],
      c,
    ),
  );

  h('Top blocked paths per site');
  out.push(
    table(
      [
        ['site', 'path', 'blocked', 'IPs', 'rule'],
        ...r.topBlockedPaths
          .slice(0, 45)
          .map((p) => [
            safe(p.host || '(no host)', 60),
            safe(p.path || '(empty)', 70),
            n(p.requests),
            n(p.clientIps),
            safe(p.topRule),
          ]),
      ],
      c,
    ),
  );
  if (r.topBlockedPaths.length > 45)
    out.push(c.dim(`  … ${r.topBlockedPaths.length - 45} more rows in --json`));

  h('False-positive candidates (legitimate work blocked)');
  if (r.falsePositiveCandidates.length === 0) out.push('  none');
  for (const f of r.falsePositiveCandidates.slice(0, 12)) {
    out.push(
      `  ${c.yellow(safe(f.ruleId))} ${safe(f.method)} ${c.bold(safe(f.path, 100))}  ${n(f.requests)} blocked, ${n(f.clientIps)} IPs, ${n(f.sites)} sites, logged-in ${pct(f.loggedInShare)}`,
      c.dim(
        `    ${f.reasons
          .slice(0, 3)
          .map((x) => safe(x))
          .join('; ')}`,
      ),
    );
  }

  h('Attack sources across sites');
  if (r.attackSources.length === 0) out.push('  none');
  else
    out.push(
      table(
        [
          ['client IP', 'sites', 'blocked', 'rules', 'user agent'],
          ...r.attackSources
            .slice(0, 15)
            .map((a) => [
              safe(a.clientIp),
              n(a.sites),
              n(a.requests),
              safe(a.rules.slice(0, 3).join(','), 60),
              safe(a.userAgent ?? '(none)', 40),
            ]),
        ],
        c,
      ),
    );

  h(`Suggestions (${r.suggestions.length})`);
  if (r.suggestions.length === 0) out.push('  none');
  const overrides = r.suggestions.filter((s) => s.kind === 'rule-override');
  const blocks = r.suggestions.filter((s) => s.kind === 'ip-block');
  const again = new Map((r.decisions?.reproposed ?? []).map((x) => [x.suggestionId, x.decision.note]));
  for (const s of [...overrides, ...blocks.slice(0, 12)]) {
    out.push(
      `  ${c.green(safe(s.id))}  ${describeSuggestionTarget(s)}  confidence ${s.confidence.toFixed(2)}`,
    );
    const note = again.get(s.id);
    if (note) out.push(c.yellow(`    ${safe(note, 300)}`));
  }
  if (blocks.length > 12)
    out.push(c.dim(`  … ${blocks.length - 12} more IP blocks: waftune suggest <source> lists them all`));
  if (r.suggestions.length > 0)
    out.push(c.dim('  details: waftune suggest <source>   apply: waftune plan <id> / waftune apply <id>'));
  const held = r.decisions?.held ?? [];
  if (held.length) {
    out.push(
      c.dim(
        `  declined and held (${n(held.length)}): not proposed while the decision holds, unless the evidence grows x${r.decisions?.factor ?? 3} (waftune decisions)`,
      ),
    );
    for (const x of held.slice(0, 12))
      out.push(
        c.dim(
          `    ${safe(x.suggestion.id)}  ${describeSuggestionTarget(x.suggestion)}: ${safe(x.decision.note, 300)}`,
        ),
      );
    if (held.length > 12) out.push(c.dim(`    … ${held.length - 12} more in --json (decisions.held)`));
  }
  for (const x of r.notSuggested.slice(0, 5)) {
    out.push(
      c.dim(
        `  no suggestion for ${safe(x.ruleId)} on ${safe(x.path, 80)} (${n(x.requests)} blocked): ${safe(x.why)}`,
      ),
    );
  }

  h('Rejected input');
  if (r.input.rejected === 0) out.push('  none: all input was clean');
  else {
    out.push(
      `  ${c.red(n(r.input.rejected))} item(s) rejected and kept aside in ${safe(r.input.rejectsFile ?? '(not written)')}; the rest was analyzed (exit code 2)`,
      ...Object.entries(r.input.rejectedByReason).map(([k, v2]) => `    ${n(v2)} × ${safe(k)}`),
      ...r.input.rejectedSamples
        .slice(0, 8)
        .map((s) => c.dim(`    ${safe(s.file, 120)}${placeIn(s)}: ${safe(s.reason, 160)}`)),
    );
  }
  const joined = r.input.concatenated;
  if (joined.length > 0) {
    const records = joined.reduce((sum, f) => sum + f.records, 0);
    const lines = joined.reduce((sum, f) => sum + f.lines, 0);
    out.push(
      `  note: ${n(joined.length)} file(s) held records written back to back with no newline: ${n(records)} records on ${n(lines)} line(s), split and read one by one`,
      ...joined
        .slice(0, 8)
        .map((f) =>
          c.dim(
            `    ${safe(f.file, 120)}: ${n(f.records)} records on ${n(f.lines)} line(s), first at line ${f.firstLine}`,
          ),
        ),
    );
    if (joined.length > 8) out.push(c.dim(`    … ${joined.length - 8} more files in --json`));
  }
  return `${out.join('\n')}\n`;
}

/** After the file: `:line`, or a log event's id and time. */
function placeIn(s: Report['input']['rejectedSamples'][number]): string {
  if (s.line !== null) return `:${s.line}`;
  return s.event ? ` event ${safe(s.event.id, 80)} at ${safe(s.event.time, 40)}` : '';
}

function shortGroup(group: string | null): string {
  if (group === null) return '(web ACL rule)';
  const i = group.indexOf('#');
  if (i !== -1) return group.slice(i + 1);
  const arn = /rulegroup\/([^/]+)/.exec(group);
  return arn?.[1] ?? group;
}
