import { type Classification, foldFleetSignals } from '../classify/classify.js';
import { pathKey } from '../classify/path-key.js';
import type { IpFacts, RulePathFacts } from '../classify/signal.js';
import type { BlockedGroupRow, IpProfileRow } from './query-rows.js';

export interface FinalGroup extends BlockedGroupRow {
  pathKey: string;
  final: Classification;
}

export function ipFactsFrom(row: IpProfileRow): IpFacts {
  return {
    requests: row.requests,
    sites: row.sites,
    attackRequests: row.attack_requests,
    attackSites: row.attack_sites,
    adminWork: row.admin_work,
    signatureSites: row.signature_sites,
    distinctPaths: row.distinct_paths,
    onlyRootGets: row.only_root_gets,
  };
}

const rulePathKey = (g: { rule_group: string | null; rule_id: string | null }, key: string) =>
  `${g.rule_group ?? ''}\u0000${g.rule_id ?? ''}\u0000${key}`;

/** Folds the fleet-stage signals onto every group: the final verdicts the report and suggester use. */
export function foldGroups(
  rows: readonly BlockedGroupRow[],
  ips: ReadonlyMap<string, IpProfileRow>,
): FinalGroup[] {
  const keyed = rows.map((r) => ({ row: r, key: pathKey(r.path) }));
  const crowd = new Map<string, { ips: Set<string>; hosts: Set<string>; attackIps: Set<string> }>();
  for (const { row, key } of keyed) {
    const k = rulePathKey(row, key);
    let c = crowd.get(k);
    if (!c) {
      c = { ips: new Set(), hosts: new Set(), attackIps: new Set() };
      crowd.set(k, c);
    }
    c.ips.add(row.client_ip);
    c.hosts.add(row.host);
    if ((ips.get(row.client_ip)?.attack_requests ?? 0) > 0) c.attackIps.add(row.client_ip);
  }
  return keyed.map(({ row, key }) => {
    const c = crowd.get(rulePathKey(row, key));
    const rulePath: RulePathFacts | undefined = c && {
      distinctIps: c.ips.size,
      sites: c.hosts.size,
      attackIpShare: c.attackIps.size / c.ips.size,
    };
    const ipRow = ips.get(row.client_ip);
    const final = foldFleetSignals(row, { ip: ipRow && ipFactsFrom(ipRow), rulePath });
    return { ...row, pathKey: key, final };
  });
}
