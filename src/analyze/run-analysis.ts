import type { ConcatenatedFile, Report } from '../../schemas/report.js';
import type { QueryEngine } from '../engines/query-engine.js';
import type { RejectSummary } from '../ingest/rejects.js';
import { accountLines } from './accounts.js';
import { compareGroups, type FinalGroup, foldGroups } from './fleet.js';
import type { IngestStats } from './ingest-files.js';
import type { BlockedGroupRow, IpProfileRow } from './query-rows.js';
import { attackSources, falsePositiveCandidates, verdictTotals } from './summarize.js';
import { type TrustedFronts, trustedFronts } from './trusted-proxies.js';
import { ALL_TIME, type TimeWindow, windowParams } from './window.js';

export interface AnalysisOptions {
  /** Only the last part of the data: `since` milliseconds before its newest event. */
  sinceMs?: number;
  /** Count `sinceMs` back from this time rather than from the newest event (Athena's live table). */
  nowMs?: number;
  topRules?: number;
  pathsPerSite?: number;
  /** `config.trustedProxies`: the proxies trusted to say who the client is, beside the published CDNs. */
  trustedProxies?: readonly string[];
}

/** What the queries and the fold produce: the report, and the material the suggester needs. */
export interface Analysis {
  window: TimeWindow;
  groups: FinalGroup[];
  ips: Map<string, IpProfileRow>;
  /** The configured proxies the queries trusted (and any that did not fit their parameters). */
  fronts: TrustedFronts;
  report: Omit<Report, 'suggestions' | 'notSuggested' | 'sparedSources' | 'input'>;
}

interface WindowRow {
  first_ts: number | null;
  last_ts: number | null;
  events: number;
  web_acls: number;
  sites: number;
  client_ips: number;
}

/**
 * Resolves the window: the data's own span, or its last `sinceMs`; or, with `nowMs` (a live table
 * on Athena), the `sinceMs` before now, so that no query reads days outside it.
 */
export async function resolveWindow(
  engine: QueryEngine,
  sinceMs?: number,
  nowMs?: number,
): Promise<{ window: TimeWindow; row: WindowRow }> {
  if (sinceMs !== undefined && nowMs !== undefined) {
    const window = { fromTs: nowMs - sinceMs, toTs: nowMs };
    const rows = await engine.run<WindowRow & Record<string, unknown>>('window', windowParams(window));
    const row = rows.rows[0];
    if (row && row.events > 0) return { window, row };
    return {
      window,
      row: { first_ts: null, last_ts: null, events: 0, web_acls: 0, sites: 0, client_ips: 0 },
    };
  }
  const all = await engine.run<WindowRow & Record<string, unknown>>('window', windowParams(ALL_TIME));
  const row = all.rows[0];
  if (!row || row.first_ts === null || row.last_ts === null) {
    return {
      window: { fromTs: 0, toTs: 0 },
      row: { first_ts: null, last_ts: null, events: 0, web_acls: 0, sites: 0, client_ips: 0 },
    };
  }
  const toTs = row.last_ts + 1;
  if (sinceMs === undefined || toTs - sinceMs <= row.first_ts)
    return { window: { fromTs: row.first_ts, toTs }, row };
  const window = { fromTs: toTs - sinceMs, toTs };
  const narrowed = await engine.run<WindowRow & Record<string, unknown>>('window', windowParams(window));
  return { window, row: narrowed.rows[0] ?? row };
}

type TotalsRow = { action: string; rule_action: string | null; verdict: string | null; requests: number };
type TopRuleRow = {
  rule_group: string | null;
  rule_id: string | null;
  rule_action: string;
  requests: number;
  client_ips: number;
  sites: number;
};
type TopPathRow = {
  host: string;
  path: string;
  requests: number;
  client_ips: number;
  top_rule: string | null;
};

/** What the queries return, before the fold: an engine can be closed once it has them. */
export interface FleetResults {
  window: TimeWindow;
  windowRow: WindowRow;
  fronts: TrustedFronts;
  totals: TotalsRow[];
  topRules: TopRuleRow[];
  topPaths: TopPathRow[];
  groupRows: BlockedGroupRow[];
  ipRows: IpProfileRow[];
}

/** The queries and the fold: the analysis of what the engine holds. */
export async function analyze(engine: QueryEngine, options: AnalysisOptions = {}): Promise<Analysis> {
  return foldFleet(await queryFleet(engine, options));
}

/** Runs the report's queries over the engine's events. */
export async function queryFleet(engine: QueryEngine, options: AnalysisOptions = {}): Promise<FleetResults> {
  const { window, row } = await resolveWindow(engine, options.sinceMs, options.nowMs);
  const params = windowParams(window);
  const fronts = await trustedFronts(engine, window, options.trustedProxies ?? []);
  const profileParams = { ...params, ...fronts.params };
  // The client profiles first: the blocked groups (the largest result) are then not held in memory
  // while DuckDB runs its heaviest query.
  const ipProfile = engine.run<IpProfileRow & Record<string, unknown>>('ip_profile', profileParams);
  const [totals, topRules, topPaths, groupRows, ipRows] = await Promise.all([
    engine.run<TotalsRow>('totals', params),
    engine.run<TopRuleRow>('top_rules', { ...params, max_rows: options.topRules ?? 15 }),
    engine.run<TopPathRow>('top_blocked_paths', { ...params, per_site: options.pathsPerSite ?? 3 }),
    engine.run<BlockedGroupRow & Record<string, unknown>>('blocked_groups', {
      ...profileParams,
      origin_ts: window.fromTs,
      bucket_ms: Math.max(1, window.toTs - window.fromTs),
    }),
    ipProfile,
  ]);
  return {
    window,
    windowRow: row,
    fronts,
    totals: totals.rows,
    topRules: topRules.rows,
    topPaths: topPaths.rows,
    groupRows: groupRows.rows,
    ipRows: ipRows.rows,
  };
}

/**
 * Folds the fleet-stage signals onto the query results: the report and the material the
 * suggester needs. Needs no engine, so a local one can give its memory back first.
 */
export function foldFleet(results: FleetResults): Analysis {
  const { window, windowRow: row, fronts } = results;
  const ips = new Map(results.ipRows.map((r) => [r.client_ip, r]));
  // Engines return groups in any order; every list built from them must come out the same each run.
  const groups = foldGroups(results.groupRows.sort(compareGroups), ips);

  // WAF's final action, as an operator reads it in the console; a count is a figure of its own.
  const byAction: Record<string, number> = {};
  let classified = 0;
  let countedRequests = 0;
  for (const t of results.totals) {
    byAction[t.action] = (byAction[t.action] ?? 0) + t.requests;
    if (t.rule_action === 'COUNT') countedRequests += t.requests;
    if (t.verdict !== null) classified += t.requests;
  }
  return {
    window,
    groups,
    ips,
    fronts,
    report: {
      version: 1,
      window: { from: isoOrEpoch(window.fromTs), to: isoOrEpoch(window.toTs) },
      fleet: { events: row.events, webAcls: row.web_acls, sites: row.sites, clientIps: row.client_ips },
      totals: { byAction, countedRequests, classified, byVerdict: verdictTotals(groups) },
      topRules: results.topRules.map((r) => ({
        ruleGroup: r.rule_group,
        ruleId: r.rule_id,
        action: r.rule_action,
        requests: r.requests,
        clientIps: r.client_ips,
        sites: r.sites,
      })),
      topBlockedPaths: results.topPaths.map((r) => ({
        host: r.host,
        path: r.path,
        requests: r.requests,
        clientIps: r.client_ips,
        topRule: r.top_rule,
      })),
      falsePositiveCandidates: falsePositiveCandidates(groups),
      attackSources: attackSources(groups),
    },
  };
}

const isoOrEpoch = (ts: number) => new Date(ts).toISOString();

export function completeReport(
  analysis: Analysis,
  input: IngestStats | null,
  rejects: RejectSummary | null,
  suggested: Pick<Report, 'suggestions' | 'notSuggested' | 'sparedSources'>,
  concatenated: readonly ConcatenatedFile[] = [],
): Report {
  return {
    ...analysis.report,
    input: {
      files: input?.files ?? 0,
      bytes: input?.bytes ?? 0,
      lines: input?.lines ?? 0,
      events: input?.events ?? analysis.report.totals.classified,
      rejected: rejects?.total ?? 0,
      rejectsFile: rejects?.file ?? null,
      rejectedByReason: rejects?.byReason ?? {},
      rejectedSamples: rejects?.samples.slice(0, 10) ?? [],
      // Workers finish files in any order; the report does not depend on it.
      concatenated: [...concatenated].sort((a, b) => a.file.localeCompare(b.file)),
    },
    ...suggested,
    accounts: accountLines(analysis.groups, suggested.suggestions),
  };
}
