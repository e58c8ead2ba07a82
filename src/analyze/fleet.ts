import { type Classification, foldFleetSignals } from '../classify/classify.js';
import { pathKey } from '../classify/path-key.js';
import type { IpFacts, RulePathFacts } from '../classify/signal.js';
import { carriesInjection } from '../classify/signals/forged-session.js';
import type { BlockedGroupRow, IpProfileRow } from './query-rows.js';
import { rowCopier } from './row-copy.js';

export interface FinalGroup extends BlockedGroupRow {
  pathKey: string;
  final: Classification;
}

export function ipFactsFrom(row: IpProfileRow): IpFacts {
  return {
    requests: row.requests,
    allowedRequests: row.allowed_requests,
    sites: row.sites,
    attackRequests: row.attack_requests,
    attackSites: row.attack_sites,
    adminWork: row.admin_work,
    sessionRequests: row.session_requests,
    sessionInjections: row.session_injections ?? 0,
    hostileRequests: row.hostile_requests,
    authRequests: row.auth_requests,
    authReadsAllowed: row.auth_reads_allowed,
    callbackRequests: row.callback_requests,
    userAgents: row.user_agents,
    signatureSites: row.signature_sites,
    distinctPaths: row.distinct_paths,
    onlyRootGets: row.only_root_gets,
  };
}

/**
 * Who stands behind a group as an independent source: its client, except that the clients a front
 * only its traffic shows carries (no published range, not configured) count once, as the front:
 * one connection can write any number of X-Forwarded-For values.
 */
export const independentSource = (g: Pick<BlockedGroupRow, 'client_ip' | 'via_proxy'>): string =>
  g.via_proxy || g.client_ip;

const rulePathKey = (g: { rule_group: string | null; rule_id: string | null }, key: string) =>
  `${g.rule_group ?? ''}\u0000${g.rule_id ?? ''}\u0000${key}`;

/**
 * Completes each client's profile with what only the blocked groups show: how many of its
 * requests under a login cookie carried an injection in what was blocked.
 */
export function completeProfiles(
  rows: readonly BlockedGroupRow[],
  ips: ReadonlyMap<string, IpProfileRow>,
): void {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.wp_session && carriesInjection(r))
      counts.set(r.client_ip, (counts.get(r.client_ip) ?? 0) + r.requests);
  }
  for (const [ip, p] of ips) p.session_injections = counts.get(ip) ?? 0;
}

/**
 * Folds the fleet-stage signals onto every group: the final verdicts the report and suggester use.
 * Completes the profiles first (completeProfiles). Each group is a copy of its row, every column
 * kept (a bucketed row's bucket too), with its path key and final verdict.
 */
export function foldGroups<R extends BlockedGroupRow>(
  rows: readonly R[],
  ips: ReadonlyMap<string, IpProfileRow>,
): Array<R & Pick<FinalGroup, 'pathKey' | 'final'>> {
  completeProfiles(rows, ips);
  const [first] = rows;
  if (first === undefined) return [];
  const keyed = rows.map((r) => ({ row: r, key: pathKey(r.path) }));
  const crowd = new Map<string, { ips: Set<string>; hosts: Set<string>; attackIps: Set<string> }>();
  for (const { row, key } of keyed) {
    const k = rulePathKey(row, key);
    let c = crowd.get(k);
    if (!c) {
      c = { ips: new Set(), hosts: new Set(), attackIps: new Set() };
      crowd.set(k, c);
    }
    // Every client counts, one-shot sources too: their history lives in ALLOW records, which the
    // logging filter `connect` sets drops, and the crowd must read alike on Athena and locally.
    // (An override's replay is what keeps one-shot spray out.)
    c.ips.add(independentSource(row));
    c.hosts.add(row.host);
    if ((ips.get(row.client_ip)?.attack_requests ?? 0) > 0) c.attackIps.add(independentSource(row));
  }
  const toGroup = rowCopier(first, 'pathKey', 'final');
  return keyed.map(({ row, key }) => {
    const c = crowd.get(rulePathKey(row, key));
    const rulePath: RulePathFacts | undefined =
      c && c.ips.size > 0
        ? { distinctIps: c.ips.size, sites: c.hosts.size, attackIpShare: c.attackIps.size / c.ips.size }
        : undefined;
    const ipRow = ips.get(row.client_ip);
    const final = foldFleetSignals(row, { ip: ipRow && ipFactsFrom(ipRow), rulePath });
    return toGroup(row, key, final);
  });
}

const GROUP_ORDER = [
  'client_ip',
  'host',
  'web_acl_arn',
  'method',
  'path',
  'query',
  'rule_group',
  'rule_id',
  'rule_action',
  'user_agent',
  'verdict',
] as const;

/**
 * One order for groups, whatever order an engine returns them in (DuckDB's parallel aggregates
 * differ from run to run): lists built from them (an IP block's signals and reasons) must come out
 * the same each run.
 */
export function compareGroups(a: BlockedGroupRow, b: BlockedGroupRow): number {
  for (const k of GROUP_ORDER) {
    const x = a[k] ?? '';
    const y = b[k] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  const ja = JSON.stringify([
    a.labels,
    a.signals,
    a.cookie_names,
    a.matched_data,
    a.wp_session,
    a.cookie_redacted,
  ]);
  const jb = JSON.stringify([
    b.labels,
    b.signals,
    b.cookie_names,
    b.matched_data,
    b.wp_session,
    b.cookie_redacted,
  ]);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}
