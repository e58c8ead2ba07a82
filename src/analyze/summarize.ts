import type { Verdict } from '../../schemas/event.js';
import type { AttackSource, FalsePositiveCandidate } from '../../schemas/report.js';
import { signalById } from '../classify/signals.js';
import type { FinalGroup } from './fleet.js';

const MAX_LISTED = 5;

export function verdictTotals(groups: readonly FinalGroup[]): Record<Verdict, number> {
  const totals: Record<Verdict, number> = { 'likely-false-positive': 0, 'likely-attack': 0, uncertain: 0 };
  for (const g of groups) totals[g.final.verdict] += g.requests;
  return totals;
}

const reasonsOf = (signals: Iterable<string>) => [...signals].map((id) => signalById(id)?.reason ?? id);

/** False-positive groups gathered per rule and endpoint across the fleet, largest first. */
export function falsePositiveCandidates(groups: readonly FinalGroup[], limit = 20): FalsePositiveCandidate[] {
  const byKey = new Map<
    string,
    {
      c: FalsePositiveCandidate;
      ips: Set<string>;
      hosts: Set<string>;
      acls: Set<string>;
      signals: Map<string, number>;
      sessions: number;
      cookieVisible: number;
    }
  >();
  for (const g of groups) {
    if (g.final.verdict !== 'likely-false-positive') continue;
    const key = `${g.rule_group}\u0000${g.rule_id}\u0000${g.method}\u0000${g.pathKey}`;
    let e = byKey.get(key);
    if (!e) {
      e = {
        c: {
          ruleGroup: g.rule_group,
          ruleId: g.rule_id,
          method: g.method,
          path: g.pathKey,
          requests: 0,
          clientIps: 0,
          sites: 0,
          webAcls: [],
          hosts: [],
          loggedInShare: null,
          signals: [],
          reasons: [],
        },
        ips: new Set(),
        hosts: new Set(),
        acls: new Set(),
        signals: new Map(),
        sessions: 0,
        cookieVisible: 0,
      };
      byKey.set(key, e);
    }
    e.c.requests += g.requests;
    e.ips.add(g.client_ip);
    e.hosts.add(g.host);
    e.acls.add(g.web_acl_arn);
    if (!g.cookie_redacted) {
      e.cookieVisible += g.requests;
      if (g.wp_session) e.sessions += g.requests;
    }
    for (const s of g.final.signals) e.signals.set(s, (e.signals.get(s) ?? 0) + g.requests);
  }
  return [...byKey.values()]
    .map((e) => {
      const signals = [...e.signals.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([s]) => s);
      return {
        ...e.c,
        clientIps: e.ips.size,
        sites: e.hosts.size,
        webAcls: [...e.acls].sort(),
        hosts: [...e.hosts].sort().slice(0, MAX_LISTED),
        loggedInShare: e.cookieVisible > 0 ? e.sessions / e.cookieVisible : null,
        signals,
        reasons: reasonsOf(signals),
      };
    })
    .sort(
      (a, b) =>
        b.requests - a.requests ||
        `${a.ruleId} ${a.method} ${a.path}`.localeCompare(`${b.ruleId} ${b.method} ${b.path}`),
    )
    .slice(0, limit);
}

/** Addresses whose blocked requests are, in the end, likely attacks: most sites first. */
export function attackSources(groups: readonly FinalGroup[], limit = 20): AttackSource[] {
  const byIp = new Map<
    string,
    {
      requests: number;
      hosts: Set<string>;
      acls: Set<string>;
      rules: Map<string, number>;
      signals: Set<string>;
      ua: string | null;
      paths: Set<string>;
    }
  >();
  for (const g of groups) {
    if (g.final.verdict !== 'likely-attack') continue;
    let e = byIp.get(g.client_ip);
    if (!e) {
      e = {
        requests: 0,
        hosts: new Set(),
        acls: new Set(),
        rules: new Map(),
        signals: new Set(),
        ua: g.user_agent,
        paths: new Set(),
      };
      byIp.set(g.client_ip, e);
    }
    e.requests += g.requests;
    e.hosts.add(g.host);
    e.acls.add(g.web_acl_arn);
    const rule = g.rule_id ?? '-';
    e.rules.set(rule, (e.rules.get(rule) ?? 0) + g.requests);
    for (const s of g.final.signals) e.signals.add(s);
    if (e.paths.size < 3) e.paths.add(g.query ? `${g.path}?${g.query}` : g.path);
  }
  return [...byIp.entries()]
    .map(([clientIp, e]) => ({
      clientIp,
      requests: e.requests,
      sites: e.hosts.size,
      webAcls: e.acls.size,
      rules: [...e.rules.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([r]) => r)
        .slice(0, MAX_LISTED),
      signals: [...e.signals].sort(),
      reasons: reasonsOf([...e.signals].sort()),
      userAgent: e.ua,
      samplePaths: [...e.paths],
    }))
    .sort((a, b) => b.sites - a.sites || b.requests - a.requests || a.clientIp.localeCompare(b.clientIp))
    .slice(0, limit);
}
