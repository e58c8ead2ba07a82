import type { Config } from '../../schemas/config.js';
import type { Decision } from '../../schemas/decision.js';
import type {
  AppliedChange,
  AttackSource,
  AverageCounts,
  Counts,
  DigestData,
  FpCandidate,
  HourBucket,
  PendingSuggestion,
  TopRule,
  TopSite,
} from '../../schemas/digest.js';
import { applyCommand, digestDataSchema } from '../../schemas/digest.js';
import type { IpBlock, RuleOverride, Suggestion } from '../../schemas/suggestion.js';
import type { FinalGroup } from '../analyze/fleet.js';
import { windowParams } from '../analyze/window.js';
import type { QueryEngine } from '../engines/query-engine.js';
import { applyDecisions } from '../suggest/decisions.js';
import { suggest } from '../suggest/index.js';
import { eventRequest, scopeMatches } from '../suggest/scope.js';
import type { ChangeRecord } from '../waf/audit.js';
import { type BucketedGroup, foldWindow } from './bucketed-groups.js';
import { type AppliedSuggestion, appliedIds, appliedSuggestions, describeApplied } from './changes.js';

/**
 * Builds the digest's model through the QueryEngine port (DuckDB locally, Athena in the Lambda):
 * the day folded with fleet signals (final verdicts, as `analyze` reports them), the 7 days before
 * it for the trend (each folded on its own, so every day is judged the same way), suggestions from
 * the same suggester as `analyze`, and the effect of changes applied since the last digest.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DigestDataOptions {
  engine: QueryEngine;
  /** The digest's day: [toTs - 24 h, toTs). */
  toTs: number;
  timeZone: string;
  now: Date;
  config: Config;
  /** The change history, for pending vs applied and for "applied since the last digest". */
  changes: readonly ChangeRecord[];
  /** When the last digest went out; changes after it are reported (default: the day's start). */
  lastDigestAt: string | null;
  /** Rows per list. */
  top?: number;
  /** The team's decisions (`waftune decline`): declined suggestions are held back from the pending list. */
  decisions?: readonly Decision[];
}

export interface DigestBuild {
  data: DigestData;
  /** Every suggestion for the day (applied ones included), for saving like `analyze` does. */
  suggestions: Suggestion[];
}

type Verdicts = Counts['blockedByVerdict'];
const zeroVerdicts = (): Verdicts => ({
  'likely-false-positive': 0,
  'likely-attack': 0,
  uncertain: 0,
  unclassified: 0,
});

function blockedVerdicts(groups: readonly FinalGroup[]): Verdicts {
  const v = zeroVerdicts();
  for (const g of groups) if (g.rule_action === 'BLOCK') v[g.final.verdict] += g.requests;
  return v;
}

interface ActionRow {
  bucket_ts: number;
  action: string;
  rule_action: string | null;
  requests: number;
}

function countsFrom(rows: readonly ActionRow[], verdicts: Verdicts): Counts {
  const c: Counts = {
    requests: 0,
    allowed: 0,
    blocked: 0,
    captcha: 0,
    challenge: 0,
    counted: 0,
    blockedByVerdict: verdicts,
  };
  for (const r of rows) {
    c.requests += r.requests;
    if (r.action === 'ALLOW') c.allowed += r.requests;
    if (r.action === 'BLOCK') c.blocked += r.requests;
    if (r.action === 'CAPTCHA') c.captcha += r.requests;
    if (r.action === 'CHALLENGE') c.challenge += r.requests;
    if (r.rule_action === 'COUNT') c.counted += r.requests;
  }
  // Blocks no rule classified (a web ACL's default action BLOCK): whatever the groups do not explain.
  const classified = verdicts['likely-false-positive'] + verdicts['likely-attack'] + verdicts.uncertain;
  c.blockedByVerdict = { ...verdicts, unclassified: Math.max(0, c.blocked - classified) };
  return c;
}

function average(days: readonly Counts[]): AverageCounts {
  const n = Math.max(1, days.length);
  const sum = (f: (c: Counts) => number) => days.reduce((a, c) => a + f(c), 0) / n;
  return {
    requests: sum((c) => c.requests),
    allowed: sum((c) => c.allowed),
    blocked: sum((c) => c.blocked),
    captcha: sum((c) => c.captcha),
    challenge: sum((c) => c.challenge),
    counted: sum((c) => c.counted),
    blockedByVerdict: {
      'likely-false-positive': sum((c) => c.blockedByVerdict['likely-false-positive']),
      'likely-attack': sum((c) => c.blockedByVerdict['likely-attack']),
      uncertain: sum((c) => c.blockedByVerdict.uncertain),
      unclassified: sum((c) => c.blockedByVerdict.unclassified),
    },
  };
}

export async function buildDigestData(options: DigestDataOptions): Promise<DigestBuild> {
  const { engine, toTs } = options;
  const top = options.top ?? 20;
  const fromTs = toTs - DAY;
  const trendFrom = fromTs - 7 * DAY;

  const [day, dailyRows, hourlyRows, windowRow] = await Promise.all([
    foldWindow(engine, { fromTs, toTs }, HOUR, options.config.trustedProxies),
    engine.run<ActionRow & Record<string, unknown>>('digest_totals', {
      origin_ts: trendFrom,
      bucket_ms: DAY,
      ...windowParams({ fromTs: trendFrom, toTs }),
    }),
    engine.run<ActionRow & Record<string, unknown>>('digest_totals', {
      origin_ts: fromTs,
      bucket_ms: HOUR,
      ...windowParams({ fromTs, toTs }),
    }),
    engine.run<{ web_acls: number; sites: number } & Record<string, unknown>>(
      'window',
      windowParams({ fromTs, toTs }),
    ),
  ]);

  // The 7 days before, each folded on its own; days without data do not count in the average.
  const previous: Counts[] = [];
  for (let d = 1; d <= 7; d++) {
    const start = fromTs - d * DAY;
    const rows = dailyRows.rows.filter((r) => r.bucket_ts === start);
    if (rows.reduce((a, r) => a + r.requests, 0) === 0) continue;
    const folded = await foldWindow(
      engine,
      { fromTs: start, toTs: start + DAY },
      DAY,
      options.config.trustedProxies,
    );
    previous.push(countsFrom(rows, blockedVerdicts(folded.groups)));
  }

  const totals = countsFrom(
    dailyRows.rows.filter((r) => r.bucket_ts === fromTs),
    blockedVerdicts(day.groups),
  );

  const records = options.changes;
  const applied = appliedIds(records);
  const all = suggest({ groups: day.groups, ips: day.ips }, options.config).suggestions;
  const decided = applyDecisions(
    all.filter((s) => !applied.has(s.id)),
    { from: new Date(fromTs).toISOString(), to: new Date(toTs).toISOString() },
    options.decisions ?? [],
    options.now,
  );
  const pending = decided.proposed;

  const since = options.lastDigestAt ? Date.parse(options.lastDigestAt) : fromTs;
  const recent = appliedSuggestions(records).filter((a) => {
    const at = Date.parse(a.appliedAt);
    return at >= since && at < toTs;
  });

  const data: DigestData = {
    version: 1,
    generatedAt: options.now.toISOString(),
    window: { from: new Date(fromTs).toISOString(), to: new Date(toTs).toISOString() },
    timeZone: options.timeZone,
    engine: engine.name,
    fleet: { sites: windowRow.rows[0]?.sites ?? 0, webAcls: windowRow.rows[0]?.web_acls ?? 0 },
    totals,
    previous7DayAverage: average(previous),
    previousDays: previous.length,
    blocksOverTime: hourly(day.buckets, hourlyRows.rows, fromTs, toTs),
    topRules: topRules(day.buckets).slice(0, top),
    topSites: topSites(day.buckets).slice(0, top),
    fpCandidates: fpCandidates(day.buckets, pending).slice(0, top),
    attackSources: attackSources(day.buckets, day.ips, pending).slice(0, top),
    pendingSuggestions: pending.map(
      (s): PendingSuggestion => ({ suggestion: s, applyCommand: applyCommand(s.id) }),
    ),
    appliedChanges: await changeEffects(engine, recent, toTs),
    decisions: {
      factor: decided.factor,
      held: decided.held.map((h) => ({
        suggestionId: h.suggestion.id,
        summary: describeApplied(h.suggestion),
        decision: h.decision,
      })),
      reproposed: decided.reproposed,
    },
    reportUrl: null,
  };
  return { data: digestDataSchema.parse(data), suggestions: all };
}

function hourly(
  groups: readonly BucketedGroup[],
  rows: readonly ActionRow[],
  fromTs: number,
  toTs: number,
): HourBucket[] {
  const out: HourBucket[] = [];
  for (let start = fromTs; start < toTs; start += HOUR) {
    const v = blockedVerdicts(groups.filter((g) => g.bucket_ts === start));
    const blocked = rows
      .filter((r) => r.bucket_ts === start && r.action === 'BLOCK')
      .reduce((a, r) => a + r.requests, 0);
    const classified = v['likely-false-positive'] + v['likely-attack'] + v.uncertain;
    out.push({ start: new Date(start).toISOString(), ...v, unclassified: Math.max(0, blocked - classified) });
  }
  return out;
}

function topRules(groups: readonly BucketedGroup[]): TopRule[] {
  const by = new Map<string, TopRule & { hosts: Set<string> }>();
  for (const g of groups) {
    if (g.rule_action !== 'BLOCK' || g.rule_id === null) continue;
    const key = `${g.rule_group ?? ''}\u0000${g.rule_id}`;
    let r = by.get(key);
    if (!r) {
      r = {
        ruleGroup: g.rule_group,
        ruleId: g.rule_id,
        blocked: 0,
        falsePositives: 0,
        attacks: 0,
        sites: 0,
        hosts: new Set(),
      };
      by.set(key, r);
    }
    r.blocked += g.requests;
    if (g.final.verdict === 'likely-false-positive') r.falsePositives += g.requests;
    if (g.final.verdict === 'likely-attack') r.attacks += g.requests;
    r.hosts.add(g.host);
  }
  return [...by.values()]
    .map(({ hosts, ...r }) => ({ ...r, sites: hosts.size }))
    .sort((a, b) => b.blocked - a.blocked || a.ruleId.localeCompare(b.ruleId));
}

function topSites(groups: readonly BucketedGroup[]): TopSite[] {
  const by = new Map<string, TopSite>();
  for (const g of groups) {
    if (g.rule_action !== 'BLOCK') continue;
    const s = by.get(g.host) ?? { host: g.host, blocked: 0, falsePositives: 0, attacks: 0 };
    s.blocked += g.requests;
    if (g.final.verdict === 'likely-false-positive') s.falsePositives += g.requests;
    if (g.final.verdict === 'likely-attack') s.attacks += g.requests;
    by.set(g.host, s);
  }
  return [...by.values()].sort((a, b) => b.blocked - a.blocked || a.host.localeCompare(b.host));
}

/** The pending override that lets through the most of these groups' requests. */
function coveringOverride(groups: readonly FinalGroup[], pending: readonly Suggestion[]): string | null {
  let best: { id: string; covered: number } | null = null;
  for (const s of pending) {
    if (s.kind !== 'rule-override') continue;
    const covered = groups
      .filter(
        (g) =>
          g.rule_id === s.ruleId &&
          g.rule_group === s.ruleGroup &&
          scopeMatches(s.scope, eventRequest(g), 'not-met'),
      )
      .reduce((a, g) => a + g.requests, 0);
    if (covered > 0 && (!best || covered > best.covered)) best = { id: s.id, covered };
  }
  return best?.id ?? null;
}

/** False-positive blocks per site, rule and endpoint (ids in paths folded). */
function fpCandidates(groups: readonly BucketedGroup[], pending: readonly Suggestion[]): FpCandidate[] {
  const by = new Map<string, { groups: BucketedGroup[]; ips: Set<string> }>();
  for (const g of groups) {
    if (g.rule_action !== 'BLOCK' || g.final.verdict !== 'likely-false-positive' || g.rule_id === null)
      continue;
    const key = JSON.stringify([g.host, g.rule_group, g.rule_id, g.pathKey]);
    const e = by.get(key) ?? { groups: [], ips: new Set<string>() };
    e.groups.push(g);
    e.ips.add(g.client_ip);
    by.set(key, e);
  }
  return [...by.values()]
    .map(({ groups: gs, ips }) => {
      const first = gs[0] as BucketedGroup;
      const visible = gs.filter((g) => !g.cookie_redacted);
      const visibleRequests = visible.reduce((a, g) => a + g.requests, 0);
      return {
        host: first.host,
        ruleGroup: first.rule_group,
        ruleId: first.rule_id ?? '',
        path: first.pathKey,
        blocked: gs.reduce((a, g) => a + g.requests, 0),
        distinctIps: ips.size,
        loggedInShare:
          visibleRequests > 0
            ? visible.filter((g) => g.wp_session).reduce((a, g) => a + g.requests, 0) / visibleRequests
            : null,
        suggestionId: coveringOverride(gs, pending),
      };
    })
    .sort((a, b) => b.blocked - a.blocked || a.host.localeCompare(b.host));
}

const bare = (address: string) => address.replace(/\/(32|128)$/, '');

function attackSources(
  groups: readonly BucketedGroup[],
  ips: ReadonlyMap<string, { requests: number; blocked: number; sites: number }>,
  pending: readonly Suggestion[],
): AttackSource[] {
  const by = new Map<
    string,
    { country: string | null; asn: string | null; signals: Map<string, number>; attack: number }
  >();
  for (const g of groups) {
    if (g.final.verdict !== 'likely-attack') continue;
    const e = by.get(g.client_ip) ?? { country: g.country, asn: g.asn, signals: new Map(), attack: 0 };
    e.attack += g.requests;
    for (const s of g.final.signals) e.signals.set(s, (e.signals.get(s) ?? 0) + g.requests);
    by.set(g.client_ip, e);
  }
  const blocks = pending.filter((s): s is IpBlock => s.kind === 'ip-block');
  return [...by.entries()]
    .map(([clientIp, e]) => {
      const profile = ips.get(clientIp);
      return {
        clientIp,
        country: e.country,
        asn: e.asn,
        requests: profile?.requests ?? e.attack,
        blocked: profile?.blocked ?? 0,
        sites: profile?.sites ?? 1,
        signals: [...e.signals.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([s]) => s)
          .slice(0, 5),
        suggestionId: blocks.find((b) => b.addresses.some((a) => bare(a) === clientIp))?.id ?? null,
      };
    })
    .sort((a, b) => b.sites - a.sites || b.requests - a.requests || a.clientIp.localeCompare(b.clientIp));
}

/** Blocks before vs after each change, over the same span on both sides (up to 24 h, as much as there is after). */
async function changeEffects(
  engine: QueryEngine,
  recent: readonly AppliedSuggestion[],
  toTs: number,
): Promise<AppliedChange[]> {
  const out: AppliedChange[] = [];
  for (const a of recent) {
    const at = Date.parse(a.appliedAt);
    const span = Math.max(HOUR, Math.min(DAY, toTs - at));
    const params = { ...windowParams({ fromTs: at - span, toTs: at + span }) };
    let before = 0;
    let after = 0;
    if (a.suggestion.kind === 'rule-override') {
      const s: RuleOverride = a.suggestion;
      const rows = await engine.run<{
        host: string;
        method: string;
        path: string;
        query: string;
        user_agent: string | null;
        cookie_names: string[];
        cookie_redacted: boolean;
        wp_session: boolean;
        blocked_before: number;
        blocked_after: number;
      }>('digest_rule_blocks', {
        split_before: at,
        split_after: at,
        ...params,
        rule_group: s.ruleGroup,
        rule_id: s.ruleId,
      });
      for (const r of rows.rows) {
        // Only what the override is known to let through: an undecidable header condition is not met.
        if (!scopeMatches(s.scope, eventRequest(r), 'not-met')) continue;
        before += r.blocked_before;
        after += r.blocked_after;
      }
    } else {
      const list = `,${a.suggestion.addresses.map(bare).join(',')},`;
      const rows = await engine.run<{ blocked_before: number | null; blocked_after: number | null }>(
        'digest_ip_blocks',
        {
          split_before: at,
          split_before_blocked: at,
          split_after: at,
          split_after_blocked: at,
          ...params,
          addresses: list,
        },
      );
      before = rows.rows[0]?.blocked_before ?? 0;
      after = rows.rows[0]?.blocked_after ?? 0;
    }
    out.push({
      changeId: a.changeId,
      suggestionId: a.suggestion.id,
      kind: a.suggestion.kind,
      appliedAt: new Date(at).toISOString(),
      summary: describeApplied(a.suggestion),
      webAcls: a.targets,
      windowHours: Math.round((span / HOUR) * 10) / 10,
      blockedBefore: before,
      blockedAfter: after,
    });
  }
  return out;
}
