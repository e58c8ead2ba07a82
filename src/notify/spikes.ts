import type { Alert, AlertKind, AlertScope } from '../../schemas/alert.js';
import type { RuleOverride, Scope, Suggestion } from '../../schemas/suggestion.js';
import { eventRequest, type HeaderFacts, scopeMatches } from '../suggest/scope.js';
import { formatCount } from './format.js';
import { robustZ } from './robust-z.js';

/**
 * Spike detection over bucketed block counts (pure: series and changes in, alerts out).
 *
 * Like Cloudflare's alerting (z > 3.5 over 5-minute buckets of the last 6 hours, with a minimum
 * count), but with a robust z (median/MAD, see robust-z.ts) so that the spike itself or a past
 * burst does not inflate the baseline, and on false-positive blocks only: attacks spiking is the
 * WAF working. Four kinds (schemas/alert.ts): per (site, rule, path), fleet-wide (per rule and
 * overall), an applied override that did not stop its blocks, and a rule that starts blocking on
 * several sites out of nowhere (typically a managed rule group update).
 */

export interface SpikeConfig {
  bucketMinutes: number;
  /** Buckets examined in this run (the ones since the last run), at the end of each series. */
  checkBuckets: number;
  zThreshold: number;
  /** Minimum false-positive blocks in one bucket for a (site, rule, path) alert. */
  minCount: number;
  /** ... for a fleet-wide alert. */
  minCountFleet: number;
  /** Fewer baseline buckets than this (a new deployment): no z-score alerts yet. */
  minBaselineBuckets: number;
  /** Time an override gets to reach every web ACL before blocks in its scope count against it. */
  overrideGraceMinutes: number;
  /** Blocks in an applied override's scope, after the grace, that make it "not effective". */
  overrideMinBlocks: number;
  /** Sites a silent rule must start blocking on to be called new activity. */
  newRuleMinSites: number;
  /** Blocks over the examined buckets for new activity. */
  newRuleMinCount: number;
}

export const DEFAULT_SPIKE_CONFIG: SpikeConfig = {
  bucketMinutes: 5,
  checkBuckets: 1,
  zThreshold: 3.5,
  minCount: 20,
  minCountFleet: 100,
  minBaselineBuckets: 12,
  overrideGraceMinutes: 10,
  overrideMinBlocks: 5,
  newRuleMinSites: 2,
  newRuleMinCount: 20,
};

/** Block counts of one (site, rule, path) per bucket, oldest first; every series has the window's length. */
export interface BlockSeries {
  host: string;
  ruleGroup: string | null;
  ruleId: string;
  /** The endpoint (ids folded, src/classify/path-key.ts): what the spikes are counted on. */
  path: string;
  /** Blocks classified likely-false-positive. */
  falsePositives: number[];
  /** All blocks, any verdict. */
  blocked: number[];
  /**
   * The same blocks by request (method, raw path, raw query) and bucket, so that a suggestion's or
   * an applied override's scope is decided per request exactly as WAF will (src/suggest/scope.ts).
   * Without them only the host and the endpoint can be compared.
   */
  requests?: readonly SeriesRequest[];
}

export interface SeriesRequest {
  method: string;
  path: string;
  query: string;
  /** What the blocks' events say about headers (the series' host is the host), for header conditions. */
  headers?: Omit<HeaderFacts, 'host'>;
  bucket: number;
  falsePositives: number;
  blocked: number;
}

/** An applied rule override (from the change history) to watch for blocks that should have stopped. */
export interface AppliedOverride {
  changeId: string;
  suggestionId: string | null;
  appliedAt: string;
  ruleGroup: string;
  ruleId: string;
  scope: Scope;
}

export interface RuleGroupUpdate {
  ruleGroup: string;
  at: string;
  version?: string;
}

export interface DetectInput {
  /** Start of the first bucket (ISO) and the number of buckets in every series. */
  windowStart: string;
  buckets: number;
  series: readonly BlockSeries[];
  /** Pending suggestions: each alert names the one that fixes it. */
  suggestions: readonly Suggestion[];
  changes?: readonly AppliedOverride[];
  ruleGroupUpdates?: readonly RuleGroupUpdate[];
  /** Command to name when no pending suggestion covers the alert, e.g. `waftune suggest s3://b/p --since 6h`. */
  fallbackCommand: string;
}

interface Candidate {
  kind: AlertKind;
  scope: AlertScope;
  /** Index of the bucket that spiked. */
  bucket: number;
  count: number;
  baseline: number;
  z: number | null;
  members: BlockSeries[];
  changeId: string | null;
  appliedAt?: string;
  ruleUpdate?: RuleGroupUpdate;
  summary: string;
}

const ruleKey = (g: string | null, r: string | null) => `${g ?? ''}\u0000${r ?? ''}`;

export function alertKey(kind: AlertKind, scope: AlertScope, changeId: string | null = null): string {
  return JSON.stringify([kind, scope.host, scope.ruleGroup, scope.ruleId, scope.path, changeId]);
}

export function ruleName(ruleGroup: string | null, ruleId: string | null): string {
  if (ruleId === null) return 'any rule';
  const group = ruleGroup?.split(/[#/]/).filter(Boolean).at(-1);
  return group ? `${group}/${ruleId}` : ruleId;
}

/** The examined bucket with the highest z, if it spikes. */
function spikeIn(counts: readonly number[], config: SpikeConfig, minCount: number) {
  const split = counts.length - config.checkBuckets;
  if (split < config.minBaselineBuckets) return null;
  const baseline = counts.slice(0, split);
  let best: { bucket: number; count: number; baseline: number; z: number } | null = null;
  for (let i = split; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    if (count < minCount) continue;
    const r = robustZ(count, baseline);
    if (r.z > config.zThreshold && (!best || r.z > best.z))
      best = { bucket: i, count, baseline: r.median, z: r.z };
  }
  return best;
}

function sum(series: readonly BlockSeries[], field: 'falsePositives' | 'blocked', buckets: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  for (const s of series) {
    s[field].forEach((v, i) => {
      out[i] = (out[i] ?? 0) + v;
    });
  }
  return out;
}

/**
 * The part of a series a scope lets through, as a series of its own (null when none): per request
 * with `scopeMatches` where the series keeps its requests, else by host and endpoint. A header
 * condition the logs cannot decide is not met: a block the override is not known to cover says
 * nothing against it, and a suggestion is named for what it is known to fix.
 */
export function withinScope(scope: Scope, s: BlockSeries): BlockSeries | null {
  if (!s.requests) return scopeCovers(scope, s.host, s.path) ? s : null;
  const requests = s.requests.filter((r) =>
    scopeMatches(
      scope,
      eventRequest({ method: r.method, path: r.path, query: r.query, host: s.host, ...r.headers }),
      'not-met',
    ),
  );
  if (requests.length === 0) return null;
  if (requests.length === s.requests.length) return s;
  const falsePositives = new Array<number>(s.falsePositives.length).fill(0);
  const blocked = new Array<number>(s.blocked.length).fill(0);
  for (const r of requests) {
    falsePositives[r.bucket] = (falsePositives[r.bucket] ?? 0) + r.falsePositives;
    blocked[r.bucket] = (blocked[r.bucket] ?? 0) + r.blocked;
  }
  return { ...s, falsePositives, blocked, requests };
}

/** Host and endpoint only: for series that do not keep their requests. */
export function scopeCovers(scope: Scope, host: string, path: string): boolean {
  // Header conditions need the requests: without them, not known to be covered.
  if (scope.headers?.length) return false;
  if (scope.hosts && !scope.hosts.some((h) => h.toLowerCase() === host.toLowerCase())) return false;
  if (
    scope.paths &&
    !scope.paths.some((p) => (p.match === 'EXACTLY' ? path === p.value : path.startsWith(p.value)))
  ) {
    return false;
  }
  return true;
}

function distinctHosts(
  members: readonly BlockSeries[],
  bucket: number,
  field: 'falsePositives' | 'blocked',
): string[] {
  const byHost = new Map<string, number>();
  for (const s of members) {
    const v = s[field][bucket] ?? 0;
    if (v > 0) byHost.set(s.host, (byHost.get(s.host) ?? 0) + v);
  }
  return [...byHost.entries()].sort((a, b) => b[1] - a[1]).map(([h]) => h);
}

export function detectAlerts(input: DetectInput, config: SpikeConfig = DEFAULT_SPIKE_CONFIG): Alert[] {
  const n = input.buckets;
  const bucketMs = config.bucketMinutes * 60_000;
  const start = Date.parse(input.windowStart);
  const bucketStart = (i: number) => new Date(start + i * bucketMs).toISOString();
  const candidates: Candidate[] = [];

  const byRule = new Map<string, BlockSeries[]>();
  for (const s of input.series) {
    const k = ruleKey(s.ruleGroup, s.ruleId);
    byRule.set(k, [...(byRule.get(k) ?? []), s]);
  }

  // 1. One (site, rule, path).
  for (const s of input.series) {
    const spike = spikeIn(s.falsePositives, config, config.minCount);
    if (!spike) continue;
    candidates.push({
      kind: 'fp-spike',
      scope: { host: s.host, ruleGroup: s.ruleGroup, ruleId: s.ruleId, path: s.path },
      ...spike,
      members: [s],
      changeId: null,
      summary:
        `${formatCount(spike.count)} likely false-positive blocks by ${ruleName(s.ruleGroup, s.ruleId)} on ${s.host}${s.path} ` +
        `in ${config.bucketMinutes} min, against a median of ${formatCount(spike.baseline)} (robust z ${spike.z.toFixed(1)}).`,
    });
  }

  // 2. One rule across the fleet, then all false positives.
  const ruleSpikes = new Set<string>();
  for (const [k, members] of byRule) {
    const first = members[0];
    if (!first) continue;
    const spike = spikeIn(sum(members, 'falsePositives', n), config, config.minCountFleet);
    if (!spike) continue;
    const hosts = distinctHosts(members, spike.bucket, 'falsePositives');
    if (hosts.length < 2) continue; // One site: the site alert says it better.
    ruleSpikes.add(k);
    candidates.push({
      kind: 'fleet-spike',
      scope: { host: null, ruleGroup: first.ruleGroup, ruleId: first.ruleId, path: null },
      ...spike,
      members,
      changeId: null,
      summary:
        `${formatCount(spike.count)} likely false-positive blocks by ${ruleName(first.ruleGroup, first.ruleId)} across ` +
        `${formatCount(hosts.length)} sites in ${config.bucketMinutes} min, against a median of ${formatCount(spike.baseline)} ` +
        `(robust z ${spike.z.toFixed(1)}). Most on ${hosts.slice(0, 3).join(', ')}.`,
    });
  }
  const total = spikeIn(sum(input.series, 'falsePositives', n), config, config.minCountFleet);
  if (total) {
    const hosts = distinctHosts(input.series, total.bucket, 'falsePositives');
    candidates.push({
      kind: 'fleet-spike',
      scope: { host: null, ruleGroup: null, ruleId: null, path: null },
      ...total,
      members: [...input.series],
      changeId: null,
      summary:
        `${formatCount(total.count)} likely false-positive blocks across the fleet (${formatCount(hosts.length)} sites) in ` +
        `${config.bucketMinutes} min, against a median of ${formatCount(total.baseline)} (robust z ${total.z.toFixed(1)}).`,
    });
  }

  // 3. A silent rule that starts blocking on several sites (any verdict: a new rule version can be right).
  const updates = input.ruleGroupUpdates ?? [];
  const newRules = new Set<string>();
  for (const [k, members] of byRule) {
    const first = members[0];
    if (!first) continue;
    const blocked = sum(members, 'blocked', n);
    const split = n - config.checkBuckets;
    if (split < config.minBaselineBuckets || blocked.slice(0, split).some((v) => v > 0)) continue;
    const recent = blocked.slice(split).reduce((a, b) => a + b, 0);
    const hosts = new Set(
      members.filter((s) => s.blocked.slice(split).some((v) => v > 0)).map((s) => s.host),
    );
    if (recent < config.newRuleMinCount || hosts.size < config.newRuleMinSites) continue;
    newRules.add(k);
    const update = updates
      .filter((u) => u.ruleGroup === first.ruleGroup)
      .sort((a, b) => b.at.localeCompare(a.at))[0];
    const firstBucket = blocked.findIndex((v, i) => i >= split && v > 0);
    candidates.push({
      kind: 'new-rule-activity',
      scope: { host: null, ruleGroup: first.ruleGroup, ruleId: first.ruleId, path: null },
      bucket: firstBucket,
      count: recent,
      baseline: 0,
      z: null,
      members,
      changeId: null,
      ...(update ? { ruleUpdate: update } : {}),
      summary:
        `${ruleName(first.ruleGroup, first.ruleId)} blocked ${formatCount(recent)} requests on ${formatCount(hosts.size)} sites in the last ` +
        `${config.checkBuckets * config.bucketMinutes} min after none in the previous ${Math.round((split * config.bucketMinutes) / 60)} h` +
        (update
          ? `, after the rule group update${update.version ? ` to ${update.version}` : ''} at ${update.at}.`
          : ': a managed rule update?'),
    });
  }

  // 4. Applied overrides whose requests are still blocked.
  for (const change of input.changes ?? []) {
    const effectiveFrom = Date.parse(change.appliedAt) + config.overrideGraceMinutes * 60_000;
    const firstBucket = Math.max(0, Math.ceil((effectiveFrom - start) / bucketMs));
    if (firstBucket >= n) continue;
    // Only the requests the override lets through count against it, not others on the same endpoint.
    const members = (byRule.get(ruleKey(change.ruleGroup, change.ruleId)) ?? [])
      .map((s) => withinScope(change.scope, s))
      .filter((s): s is BlockSeries => s !== null);
    const still = members.reduce((a, s) => a + s.blocked.slice(firstBucket).reduce((x, y) => x + y, 0), 0);
    // "Still": blocks in the examined buckets too, not just some time after the change.
    const recent = members.reduce(
      (a, s) => a + s.blocked.slice(n - config.checkBuckets).reduce((x, y) => x + y, 0),
      0,
    );
    if (still < config.overrideMinBlocks || recent === 0) continue;
    const hosts = new Set(
      members.filter((s) => s.blocked.slice(firstBucket).some((v) => v > 0)).map((s) => s.host),
    );
    candidates.push({
      kind: 'override-ineffective',
      scope: {
        host: hosts.size === 1 ? ([...hosts][0] ?? null) : null,
        ruleGroup: change.ruleGroup,
        ruleId: change.ruleId,
        path: null,
      },
      bucket: firstBucket,
      count: still,
      baseline: 0,
      z: null,
      members,
      changeId: change.changeId,
      appliedAt: change.appliedAt,
      summary:
        `${formatCount(still)} requests in the scope of change ${change.changeId} (applied ${change.appliedAt}) are still blocked by ` +
        `${ruleName(change.ruleGroup, change.ruleId)} on ${formatCount(hosts.size)} sites: the override has not taken effect ` +
        'on every web ACL, or its scope is too narrow.',
    });
  }

  // Fold: a fleet alert for a rule (or new activity) replaces its per-site alerts, and the
  // fleet-total alert is only kept when nothing more specific explains it.
  const folded = candidates.filter((c) => {
    const k = ruleKey(c.scope.ruleGroup, c.scope.ruleId);
    if (c.kind === 'fp-spike') return !ruleSpikes.has(k) && !newRules.has(k);
    if (c.kind === 'fleet-spike' && c.scope.ruleId !== null) return !newRules.has(k);
    if (c.kind === 'fleet-spike')
      return !candidates.some(
        (o) =>
          o !== c && (o.kind === 'fp-spike' || o.kind === 'fleet-spike' || o.kind === 'new-rule-activity'),
      );
    return true;
  });

  return folded.map((c) => {
    const suggestion = bestSuggestion(c, input.suggestions);
    const hosts = activeHosts(c);
    return {
      key: alertKey(c.kind, c.scope, c.changeId),
      kind: c.kind,
      scope: c.scope,
      at: bucketStart(c.bucket),
      bucketMinutes: config.bucketMinutes,
      count: c.count,
      baseline: c.baseline,
      z: c.z === null ? null : Math.round(c.z * 10) / 10,
      sites: hosts.length,
      hosts: hosts.slice(0, 5),
      appliedAt: c.appliedAt ? new Date(c.appliedAt).toISOString() : null,
      ruleUpdate: c.ruleUpdate ? { at: c.ruleUpdate.at, version: c.ruleUpdate.version ?? null } : null,
      changeId: c.changeId,
      suggestionId: suggestion?.id ?? null,
      command: suggestion ? `waftune apply ${suggestion.id}` : input.fallbackCommand,
      summary: c.summary,
    };
  });
}

/** The span of buckets and the counts an alert is about: its bucket of false positives, or every block from its first bucket on. */
function alertRange(c: Candidate): { from: number; to: number; field: 'falsePositives' | 'blocked' } {
  const spike = c.kind === 'fp-spike' || c.kind === 'fleet-spike';
  return spike
    ? { from: c.bucket, to: c.bucket + 1, field: 'falsePositives' }
    : { from: c.bucket, to: Number.POSITIVE_INFINITY, field: 'blocked' };
}

/** Sites with blocks in the alert's span, most first. */
function activeHosts(c: Candidate): string[] {
  const { from, to, field } = alertRange(c);
  const byHost = new Map<string, number>();
  for (const m of c.members) {
    const v = m[field].slice(from, to).reduce((a, b) => a + b, 0);
    if (v > 0) byHost.set(m.host, (byHost.get(m.host) ?? 0) + v);
  }
  return [...byHost.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([h]) => h);
}

/**
 * The pending rule override that lets through most of the alert's blocks in its bucket(s); ties
 * go to the more confident one. IP blocks never fix a false positive.
 */
function bestSuggestion(c: Candidate, suggestions: readonly Suggestion[]): RuleOverride | null {
  let best: { s: RuleOverride; covered: number } | null = null;
  const { from, to, field } = alertRange(c);
  for (const s of suggestions) {
    if (s.kind !== 'rule-override') continue;
    let covered = 0;
    for (const m of c.members) {
      if (m.ruleId !== s.ruleId || m.ruleGroup !== s.ruleGroup) continue;
      const inScope = withinScope(s.scope, m);
      if (inScope) covered += inScope[field].slice(from, to).reduce((a, b) => a + b, 0);
    }
    if (covered === 0) continue;
    if (!best || covered > best.covered || (covered === best.covered && s.confidence > best.s.confidence))
      best = { s, covered };
  }
  return best?.s ?? null;
}
