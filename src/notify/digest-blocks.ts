import type { DigestData } from '../../schemas/digest.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { slackCode, slackPlain, slackText } from '../text/slack.js';
import {
  type Block,
  blockKitViolations,
  LIMITS,
  mrkdwn,
  packLines,
  plain,
  type SlackMessage,
} from './block-kit.js';
import {
  beforeAfter,
  formatCount,
  formatDay,
  formatShare,
  formatTime,
  plural,
  shortGroup,
  trend,
} from './format.js';

/**
 * DigestData -> one Slack Block Kit message. Lists are cut to fit Slack's limits (50 blocks, 3,000
 * characters per text, 10 fields); whatever is cut is named in a note, and the full HTML report
 * (linked when it is reachable) has everything.
 */

export interface DigestBlocksOptions {
  /** Items per list before "and N more". */
  maxItems?: number;
  /** Block budget; Slack's 50 unless a test wants a smaller one. */
  maxBlocks?: number;
  /** Characters per section text; Slack's 3,000 unless a test wants a smaller one. */
  maxText?: number;
}

interface ListSpec {
  title: string;
  lines: string[];
  /** What one item is called in the cut note. */
  noun: string;
}

export function digestBlocks(data: DigestData, options: DigestBlocksOptions = {}): SlackMessage {
  const maxItems = options.maxItems ?? 10;
  const maxBlocks = Math.min(options.maxBlocks ?? LIMITS.blocks, LIMITS.blocks);
  const maxText = Math.min(options.maxText ?? LIMITS.text, LIMITS.text);
  const zone = data.timeZone;

  const blocks: Block[] = [
    {
      type: 'header',
      text: plain(slackPlain(`waftune digest · ${formatDay(data.window.to, zone)}`, LIMITS.headerText)),
    },
    ...summaryBlocks(data),
    {
      type: 'context',
      elements: [
        mrkdwn(
          `${formatTime(data.window.from, zone)} – ${formatTime(data.window.to, zone)} ${slackText(zone, 60)} · ` +
            `${formatCount(data.fleet.sites)} sites, ${formatCount(data.fleet.webAcls)} web ACLs · ${data.engine}`,
        ),
      ],
    },
  ];

  const link = reportLink(data.reportUrl);
  // Kept free for the report link and the cut note, which must always fit.
  const reserved = (link ? 1 : 0) + 1;
  const cut: string[] = [];

  // Each list needs a divider and its sections; when they do not all fit, the blocks left are shared
  // fairly (water-filling), so one long list cannot starve the others.
  const packed = lists(data).map((list) => {
    const shown = list.lines.slice(0, maxItems);
    const body = shown.length > 0 ? [...shown] : ['none'];
    if (list.lines.length > shown.length) {
      body.push(
        `…and ${formatCount(list.lines.length - shown.length)} more ${list.noun}s in the full report`,
      );
    }
    return { list, texts: packLines([`*${list.title}*`, ...body], maxText) };
  });
  const quotas = shareBlocks(
    packed.map((p) => p.texts.length + 1),
    maxBlocks - blocks.length - reserved,
  );
  packed.forEach(({ list, texts }, i) => {
    const quota = quotas[i] ?? 0;
    let sent = 0;
    let textsSent = 0;
    if (quota >= 2) {
      blocks.push({ type: 'divider' });
      for (const text of texts.slice(0, quota - 1)) {
        blocks.push({ type: 'section', text: mrkdwn(text) });
        sent += text.split('\n').filter((line) => line.startsWith('• ')).length;
        textsSent++;
      }
    }
    // Items past `maxItems` are named by the "…and N more" line when it was sent; the rest go in the note.
    const notShown = textsSent === texts.length ? 0 : list.lines.length - sent;
    if (notShown > 0) cut.push(`${formatCount(notShown)} ${list.noun}s`);
  });

  if (link) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', text: plain('Open the full report'), action_id: 'open_report', url: link },
      ],
    });
  }
  if (cut.length > 0) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `✂ Cut to fit Slack's limits (${maxBlocks} blocks, ${formatCount(maxText)} characters per text): ` +
            `${cut.join(', ')} not shown. ${link ? 'The full report has everything.' : 'Run `waftune digest --html FILE` for the full report.'}`,
        ),
      ],
    });
  }

  const message: SlackMessage = {
    text: fallbackText(data),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
  const violations = blockKitViolations(message);
  if (violations.length > 0)
    throw new Error(`digest message breaks Block Kit limits: ${violations.join('; ')}`);
  return message;
}

/**
 * Splits `budget` blocks among lists that need `needs[i]` each: every list gets what it needs when
 * all fit; otherwise small lists get theirs and the rest share what is left equally. A share under
 * 2 (a divider and one section) is worth nothing, so it goes to the lists before it.
 */
export function shareBlocks(needs: readonly number[], budget: number): number[] {
  const quotas = needs.map(() => 0);
  let left = Math.max(0, budget);
  let open = needs.map((_, i) => i);
  while (open.length > 0 && left > 0) {
    const fair = Math.floor(left / open.length);
    if (fair < 2) {
      for (const i of open) {
        const give = Math.min(left, (needs[i] ?? 0) - (quotas[i] ?? 0));
        if (give >= 2 || (quotas[i] ?? 0) > 0) {
          quotas[i] = (quotas[i] ?? 0) + give;
          left -= give;
        }
      }
      break;
    }
    const next: number[] = [];
    for (const i of open) {
      const want = (needs[i] ?? 0) - (quotas[i] ?? 0);
      const give = Math.min(want, fair);
      quotas[i] = (quotas[i] ?? 0) + give;
      left -= give;
      if (want > give) next.push(i);
    }
    if (next.length === open.length && fair === 0) break;
    open = next;
  }
  return quotas;
}

function summaryBlocks(data: DigestData): Block[] {
  const t = data.totals;
  const avg = data.previous7DayAverage;
  const days = data.previousDays;
  const v = t.blockedByVerdict;
  const va = avg.blockedByVerdict;
  const field = (label: string, value: number, average: number) =>
    mrkdwn(`*${label}*\n${formatCount(value)} · ${trend(value, average, days).text}`);
  return [
    {
      type: 'section',
      text: mrkdwn(
        `*${formatCount(t.blocked)}* requests blocked of ${formatCount(t.requests)} · ${trend(t.blocked, avg.blocked, days).text}`,
      ),
      fields: [
        field('Likely false positives', v['likely-false-positive'], va['likely-false-positive']),
        field('Likely attacks', v['likely-attack'], va['likely-attack']),
        field('Uncertain', v.uncertain, va.uncertain),
        field('Not classified', v.unclassified, va.unclassified),
        field('CAPTCHA + challenge', t.captcha + t.challenge, avg.captcha + avg.challenge),
        field('Counted only', t.counted, avg.counted),
      ],
    },
  ];
}

function lists(data: DigestData): ListSpec[] {
  return [
    {
      title: 'Top false-positive candidates (site · rule · path)',
      noun: 'false-positive candidate',
      lines: data.fpCandidates.map((c) => {
        const session = c.loggedInShare === null ? '' : `, ${formatShare(c.loggedInShare)} logged in`;
        const fix = c.suggestionId ? ` → ${slackCode(`waftune apply ${c.suggestionId}`)}` : '';
        return (
          `• ${slackCode(c.host, 80)} ${ruleCode(c.ruleGroup, c.ruleId)} ${slackCode(c.path, 100)} — ` +
          `${plural(c.blocked, 'block')} from ${plural(c.distinctIps, 'IP')}${session}${fix}`
        );
      }),
    },
    {
      title: 'Attack sources across sites',
      noun: 'attack source',
      lines: data.attackSources.map((s) => {
        const where = [s.country, s.asn].filter((x): x is string => x !== null && x !== '-');
        const whereText = where.length > 0 ? ` (${where.map((w) => slackCode(w, 40)).join(', ')})` : '';
        const signals =
          s.signals.length > 0
            ? ` · ${s.signals
                .slice(0, 3)
                .map((x) => slackCode(x, 40))
                .join(' ')}`
            : '';
        const fix = s.suggestionId ? ` → ${slackCode(`waftune apply ${s.suggestionId}`)}` : '';
        return (
          `• ${slackCode(s.clientIp, 45)}${whereText} — ${plural(s.requests, 'request')} on ` +
          `${plural(s.sites, 'site')}, ${formatCount(s.blocked)} blocked${signals}${fix}`
        );
      }),
    },
    {
      title: `Pending suggestions${declinedCount(data)}`,
      noun: 'suggestion',
      lines: data.pendingSuggestions.map((p) => {
        const again = data.decisions?.reproposed.find((r) => r.suggestionId === p.suggestion.id);
        const note = again ? ` · _${slackText(again.decision.note, 300)}_` : '';
        return `• ${describeSuggestion(p.suggestion)} → ${slackCode(p.applyCommand)}${note}`;
      }),
    },
    {
      title: 'Applied since the last digest (blocks before → after)',
      noun: 'change',
      lines: data.appliedChanges.map(
        (c) =>
          `• ${slackCode(c.changeId, 60)} ${slackText(c.summary, 160)} — ${beforeAfter(c.blockedBefore, c.blockedAfter)} ` +
          `in ${formatCount(c.windowHours)} h before vs after`,
      ),
    },
  ];
}

/** "3 suggestions declined, 1 re-proposed": what the team's decisions did to the list. */
export function declinedCounts(data: Pick<DigestData, 'decisions'>): string | null {
  const held = data.decisions?.held.length ?? 0;
  const again = data.decisions?.reproposed.length ?? 0;
  if (!held && !again) return null;
  return `${plural(held, 'suggestion')} declined${again ? `, ${formatCount(again)} re-proposed` : ''}`;
}

function declinedCount(data: DigestData): string {
  const counts = declinedCounts(data);
  return counts ? ` (${counts})` : '';
}

function ruleCode(ruleGroup: string | null, ruleId: string): string {
  const group = shortGroup(ruleGroup);
  return slackCode(group ? `${group}:${ruleId}` : ruleId, 90);
}

function describeSuggestion(s: Suggestion): string {
  if (s.kind === 'rule-override') {
    const paths = s.scope.paths?.map((p) => p.value) ?? [];
    const where =
      paths.length > 0
        ? ` on ${paths
            .slice(0, 2)
            .map((p) => slackCode(p, 80))
            .join(', ')}${paths.length > 2 ? ` +${paths.length - 2}` : ''}`
        : '';
    return (
      `${slackCode(s.id, 40)} let ${ruleCode(s.ruleGroup, s.ruleId)} through${where} (${plural(s.webAcls.length, 'web ACL')}) · ` +
      `would allow ${formatCount(s.impact.wouldAllow)} (${formatCount(s.impact.wouldAllowFromAttackers)} from attackers), ` +
      `confidence ${formatShare(s.confidence)}`
    );
  }
  const first = s.addresses
    .slice(0, 2)
    .map((a) => slackCode(a, 45))
    .join(', ');
  const more = s.addresses.length > 2 ? ` +${s.addresses.length - 2}` : '';
  return (
    `${slackCode(s.id, 40)} block ${first}${more} for ${s.expiresAfterDays} days · ` +
    `${formatCount(s.evidence.blockedRequests)} blocked on ${plural(s.evidence.sites, 'site')}, confidence ${formatShare(s.confidence)}`
  );
}

/** Only an http(s) URL of bounded length goes into the button; anything else is left out. */
function reportLink(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
    return parsed.href.length <= LIMITS.url ? parsed.href : null;
  } catch {
    return null;
  }
}

function fallbackText(data: DigestData): string {
  const t = data.totals;
  // The fallback is shown in notifications as mrkdwn-less text, but still parsed for mentions: nothing from a log goes in.
  return (
    `waftune digest ${formatDay(data.window.to, data.timeZone)}: ${formatCount(t.blocked)} blocked, ` +
    `${formatCount(t.blockedByVerdict['likely-false-positive'])} likely false positives, ` +
    `${formatCount(data.pendingSuggestions.length)} pending suggestions${declinedCount(data)}`
  );
}
