import type { Config } from '../../schemas/config.js';
import type { Decision } from '../../schemas/decision.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import type { QueryEngine } from '../engines/query-engine.js';
import { applyDecisions } from '../suggest/decisions.js';
import { suggest } from '../suggest/index.js';
import type { ChangeRecord } from '../waf/audit.js';
import { foldWindow } from './bucketed-groups.js';
import { appliedIds, recentOverrides } from './changes.js';
import type { BlockSeries, DetectInput, SeriesRequest, SpikeConfig } from './spikes.js';

/**
 * The alerts' input through the QueryEngine port: the last 6 hours (by default) in 5-minute
 * buckets, folded with fleet signals so "false positive" means what `analyze` means, turned into
 * one series per (site, rule, endpoint); the suggestions for the same window; the overrides
 * applied in it.
 */

export interface AlertDataOptions {
  engine: QueryEngine;
  /** End of the last complete bucket (exclusive): now minus the log delivery lag, rounded down. */
  toTs: number;
  config: Config;
  spike: SpikeConfig;
  /** Baseline + examined buckets. */
  buckets: number;
  changes: readonly ChangeRecord[];
  fallbackCommand: string;
  /** The team's decisions: a declined suggestion is not named as the fix while the decision holds. */
  decisions?: readonly Decision[];
  /** When the decisions are judged (default: now). */
  now?: Date;
}

/** WAF logs reach S3 through Firehose within a few minutes; a bucket younger than this is still filling. */
export const DEFAULT_LAG_MS = 5 * 60_000;

export function alertWindowEnd(now: number, bucketMinutes: number, lagMs = DEFAULT_LAG_MS): number {
  const bucketMs = bucketMinutes * 60_000;
  return Math.floor((now - lagMs) / bucketMs) * bucketMs;
}

export async function buildAlertInput(
  options: AlertDataOptions,
): Promise<{ input: DetectInput; suggestions: Suggestion[] }> {
  const bucketMs = options.spike.bucketMinutes * 60_000;
  const fromTs = options.toTs - options.buckets * bucketMs;
  const folded = await foldWindow(
    options.engine,
    { fromTs, toTs: options.toTs },
    bucketMs,
    options.config.trustedProxies,
  );
  const applied = appliedIds(options.changes);
  const suggestions = applyDecisions(
    suggest({ groups: folded.groups, ips: folded.ips }, options.config).suggestions.filter(
      (s) => !applied.has(s.id),
    ),
    { from: new Date(fromTs).toISOString(), to: new Date(options.toTs).toISOString() },
    options.decisions ?? [],
    options.now ?? new Date(),
  ).proposed;

  const series = new Map<string, BlockSeries & { byRequest: Map<string, SeriesRequest> }>();
  for (const g of folded.buckets) {
    if (g.rule_action !== 'BLOCK' || g.rule_id === null) continue;
    const i = Math.floor((g.bucket_ts - fromTs) / bucketMs);
    if (i < 0 || i >= options.buckets) continue;
    const key = JSON.stringify([g.host, g.rule_group, g.rule_id, g.pathKey]);
    let s = series.get(key);
    if (!s) {
      s = {
        host: g.host,
        ruleGroup: g.rule_group,
        ruleId: g.rule_id,
        path: g.pathKey,
        falsePositives: new Array<number>(options.buckets).fill(0),
        blocked: new Array<number>(options.buckets).fill(0),
        byRequest: new Map(),
      };
      series.set(key, s);
    }
    const fp = g.final.verdict === 'likely-false-positive' ? g.requests : 0;
    s.blocked[i] = (s.blocked[i] ?? 0) + g.requests;
    s.falsePositives[i] = (s.falsePositives[i] ?? 0) + fp;
    // Kept per request shape so scopes are matched on method, raw path, query and the header facts
    // (header conditions), not the endpoint.
    const headers = {
      user_agent: g.user_agent,
      cookie_names: g.cookie_names,
      cookie_redacted: g.cookie_redacted,
      wp_session: g.wp_session,
    };
    const shape = JSON.stringify([g.method, g.path, g.query, i, headers]);
    const r = s.byRequest.get(shape) ?? {
      method: g.method,
      path: g.path,
      query: g.query,
      headers,
      bucket: i,
      falsePositives: 0,
      blocked: 0,
    };
    r.blocked += g.requests;
    r.falsePositives += fp;
    s.byRequest.set(shape, r);
  }

  return {
    input: {
      windowStart: new Date(fromTs).toISOString(),
      buckets: options.buckets,
      series: [...series.values()].map(({ byRequest, ...s }) => ({
        ...s,
        requests: [...byRequest.values()],
      })),
      suggestions,
      changes: recentOverrides(options.changes, fromTs, options.toTs),
      fallbackCommand: options.fallbackCommand,
    },
    suggestions,
  };
}
