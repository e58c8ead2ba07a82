import pc from 'picocolors';
import type { Report } from '../../schemas/report.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { describeSuggestionTarget } from '../analyze/render-text.js';
import { parseWebAclArn } from '../ingest/web-acl-arn.js';
import { terminalSafe as safe } from '../text/terminal.js';

const HEADER_MATCH = {
  EXACTLY: 'is',
  STARTS_WITH: 'starts with',
  ENDS_WITH: 'ends with',
  CONTAINS: 'contains',
} as const;

/** `waftune suggest`: every suggestion with its evidence, samples, replayed impact and the command that applies it. */
export function renderSuggestions(
  r: Pick<Report, 'window' | 'suggestions' | 'notSuggested' | 'sparedSources' | 'decisions'>,
  options: { color: boolean; savedTo: string | null },
): string {
  const c = pc.createColors(options.color);
  const out: string[] = [
    c.bold(
      `waftune suggest — ${safe(r.window.from)} .. ${safe(r.window.to)}: ${r.suggestions.length} suggestion(s)`,
    ),
  ];
  for (const s of r.suggestions) out.push('', ...renderOne(s, c));
  const held = r.decisions?.held ?? [];
  if (held.length > 0) {
    out.push(
      '',
      c.bold(
        `Declined and held (${held.length}): not proposed while the decision holds, unless the evidence grows x${r.decisions?.factor ?? 3}`,
      ),
    );
    for (const x of held)
      out.push(
        `  ${safe(x.suggestion.id)}  ${describeSuggestionTarget(x.suggestion)}: ${safe(x.decision.note, 300)}`,
      );
    out.push(c.dim('  waftune decisions lists them; waftune decisions --undo <id> proposes one again'));
  }
  if (r.notSuggested.length > 0) {
    out.push('', c.bold('False positives with no suggestion'));
    for (const x of r.notSuggested) {
      out.push(`  ${safe(x.ruleId)} on ${safe(x.path, 100)} (${x.requests} blocked): ${safe(x.why, 300)}`);
    }
  }
  if (r.sparedSources.length > 0) {
    out.push('', c.bold('Attack-looking sources deliberately not blocked'));
    for (const x of r.sparedSources.slice(0, 20)) {
      out.push(`  ${safe(x.clientIp)} (${x.attackRequests} request(s)): ${safe(x.why, 200)}`);
    }
  }
  if (options.savedTo)
    out.push('', c.dim(`saved to ${safe(options.savedTo, 300)}: plan and apply read it by default`));
  return `${out.join('\n')}\n`;
}

function renderOne(s: Suggestion, c: ReturnType<typeof pc.createColors>): string[] {
  const head = `${c.green(c.bold(safe(s.id)))}  ${s.kind}  confidence ${s.confidence.toFixed(2)}`;
  const lines = [head, `  ${describeSuggestionTarget(s)}`];
  if (s.kind === 'rule-override') {
    const e = s.evidence;
    const logged =
      e.loggedInShare === null ? 'cookies redacted' : `${Math.round(e.loggedInShare * 100)}% logged in`;
    lines.push(
      `  rule: ${safe(s.ruleGroup)} / ${safe(s.ruleId)} -> Count inside the scope; a label rule on ${safe(s.label)} keeps blocking outside it`,
      ...(s.scope.headers ?? []).map(
        (h) =>
          `  only when header ${safe(h.name, 64)} ${HEADER_MATCH[h.match]} "${safe(h.value, 200)}" (every header condition must be met)`,
      ),
      `  web ACLs: ${s.webAcls.map((a) => safe(parseWebAclArn(a).name)).join(', ')}`,
      `  evidence: ${e.blockedRequests} blocked, ${e.distinctIps} IPs, ${e.sites} sites, ${logged}, ${e.ipsWithAdminWork} IPs also did admin work`,
      `  replayed impact: would let through ${s.impact.wouldAllow} blocked request(s); ${s.impact.wouldAllowFromAttackers} from attack sources, ${s.impact.stillBlockedByIpBlocks} of them still stopped by the IP blocks`,
    );
  } else {
    const e = s.evidence;
    lines.push(
      `  evidence: ${e.blockedRequests} blocked of ${e.requests} request(s), attack evidence on ${e.sites} site(s); signals: ${e.signals.map((x) => safe(x)).join(', ')}`,
      `  user agents: ${e.userAgents.map((u) => safe(u, 80)).join(' | ')}`,
    );
    const f = s.forwardedIpConfig;
    if (f) {
      const acls = f.webAcls.map((a) => safe(parseWebAclArn(a).name)).join(', ');
      lines.push(
        `  behind a CDN on ${acls}: also matched by the ${f.position === 'ANY' ? 'addresses' : `${f.position.toLowerCase()} address`} in ${safe(f.headerName, 80)} (${f.fallbackBehavior === 'NO_MATCH' ? 'no match without a valid one' : 'an invalid one matches'}); the client address everywhere`,
      );
    }
  }
  for (const reason of s.reasons) lines.push(c.dim(`  - ${safe(reason, 300)}`));
  const samples = s.evidence.samples;
  if (samples.length > 0) lines.push('  samples:');
  for (const x of samples) {
    lines.push(
      `    ${safe(x.time)} ${safe(x.webAcl, 40)} ${safe(x.host, 60)} ${safe(x.clientIp, 45)} ${safe(x.method, 10)} ${safe(x.uri, 120)}  ${safe(x.userAgent ?? '(no user agent)', 60)}`,
    );
  }
  lines.push(`  apply: ${c.cyan(`waftune plan ${s.id}`)} then ${c.cyan(`waftune apply ${s.id}`)}`);
  return lines;
}
