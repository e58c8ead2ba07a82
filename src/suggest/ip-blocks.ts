import type { Config } from '../../schemas/config.js';
import type { IpBlock } from '../../schemas/suggestion.js';
import { type FinalGroup, ipFactsFrom } from '../analyze/fleet.js';
import type { IpProfileRow } from '../analyze/query-rows.js';
import { doesAdminWork } from '../classify/signals/ip-admin-work.js';
import { isMonitor } from '../classify/signals/uptime-monitor.js';
import { signalById } from '../classify/signals.js';
import { stableId } from './ids.js';
import { createIpGuard, hostCidr } from './ip-guard.js';
import { sampleRequests } from './samples.js';
import { STRONG_ATTACK_SIGNALS } from './strong-signals.js';

export interface SparedSource {
  clientIp: string;
  attackRequests: number;
  why: string;
}

/**
 * Many browsers behind one address and mostly ordinary traffic: a CDN edge or proxy in front of
 * the ALB, or a large NAT. Blocking it blocks everyone behind it.
 */
const SHARED_MIN_USER_AGENTS = 20;
function isSharedAddress(p: IpProfileRow): boolean {
  return p.user_agents >= SHARED_MIN_USER_AGENTS && p.attack_requests < p.requests / 2;
}

/** Allowed probes alone (no rule stopped them) make a block only when they reach this many sites. */
const ALLOWED_ONLY_MIN_SITES = 3;

/**
 * IP-set blocks for sources with attack evidence — blocked attacks, or probes and scanner tools
 * that no rule stopped — and the attack-looking sources deliberately spared (admin work,
 * monitors, private or allowlisted addresses) with the reason.
 */
export function suggestIpBlocks(
  groups: readonly FinalGroup[],
  ips: ReadonlyMap<string, IpProfileRow>,
  config: Config,
): { blocks: IpBlock[]; spared: SparedSource[]; blockedIps: Set<string> } {
  const guard = createIpGuard(config.allowlist);
  const attackGroups = new Map<string, FinalGroup[]>();
  for (const g of groups) {
    if (g.final.verdict !== 'likely-attack') continue;
    const list = attackGroups.get(g.client_ip);
    if (list) list.push(g);
    else attackGroups.set(g.client_ip, [g]);
  }
  const candidates = new Set(attackGroups.keys());
  for (const [ip, p] of ips) if (p.allowed_attack_sites >= ALLOWED_ONLY_MIN_SITES) candidates.add(ip);

  const blocks: IpBlock[] = [];
  const spared: SparedSource[] = [];
  const blockedIps = new Set<string>();
  for (const ip of candidates) {
    const list = attackGroups.get(ip) ?? [];
    const profile = ips.get(ip);
    const strongOf = (signals: readonly string[]) => signals.filter((s) => STRONG_ATTACK_SIGNALS.has(s));
    const strong = list.filter((g) => strongOf(g.final.signals).length > 0);
    const strongSignals = new Set([
      ...strong.flatMap((g) => strongOf(g.final.signals)),
      ...strongOf(profile?.attack_signals ?? []),
    ]);
    const blockedAttack = list.reduce((s, g) => s + g.requests, 0);
    const strongRequests =
      strong.reduce((s, g) => s + g.requests, 0) + (profile?.allowed_attack_requests ?? 0);
    const sites = new Set(list.map((g) => g.host)).size;
    const attackSites = Math.max(sites, profile?.attack_sites ?? 0);
    if (strongSignals.size === 0 || strongRequests === 0) continue;
    if (attackSites < config.ipBlock.minSites && strongRequests < config.ipBlock.minStrongRequests) continue;

    const facts = profile && ipFactsFrom(profile);
    const why =
      guard.whyNot(ip) ??
      (facts && doesAdminWork(facts)
        ? `it also did ${facts.adminWork} allowed logged-in admin request(s)`
        : null) ??
      (facts && isMonitor(facts) ? 'it only fetches the home page or a health path (a monitor)' : null) ??
      (profile && isSharedAddress(profile)
        ? `a shared address (CDN, proxy or large NAT): ${profile.user_agents} user agents, mostly ordinary traffic`
        : null);
    const attackRequests = blockedAttack + (profile?.allowed_attack_requests ?? 0);
    if (why) {
      spared.push({ clientIp: ip, attackRequests, why });
      continue;
    }
    blockedIps.add(ip);
    const signals = [
      ...new Set([...list.flatMap((g) => g.final.signals), ...(profile?.attack_signals ?? [])]),
    ];
    const userAgents = [
      ...new Set([
        ...list.map((g) => g.user_agent ?? '(none)'),
        ...(profile?.sample_user_agent ? [profile.sample_user_agent] : []),
      ]),
    ].slice(0, 5);
    const confidence = Math.min(
      0.99,
      0.55 + 0.05 * Math.min(attackSites, 6) + 0.05 * Math.min(strongSignals.size, 3),
    );
    const allowedNote =
      profile && profile.allowed_attack_requests > 0
        ? [`${profile.allowed_attack_requests} more request(s) with attack evidence that no rule stopped`]
        : [];
    blocks.push({
      id: stableId('ipb', { address: hostCidr(ip) }),
      kind: 'ip-block',
      addresses: [hostCidr(ip)],
      expiresAfterDays: config.ipBlock.expiresAfterDays,
      confidence: Math.round(confidence * 100) / 100,
      evidence: {
        requests: profile?.requests ?? attackRequests,
        blockedRequests: profile?.blocked ?? blockedAttack,
        sites: attackSites,
        webAcls: [...new Set(list.map((g) => g.web_acl_arn))].sort(),
        signals,
        userAgents,
        samples: sampleRequests(list),
      },
      reasons: [
        `${blockedAttack} blocked request(s) with attack evidence; attack evidence on ${attackSites} site(s)`,
        ...allowedNote,
        ...[...strongSignals].map((s) => signalById(s)?.reason ?? s),
      ],
    });
  }
  blocks.sort(
    (a, b) =>
      b.evidence.sites - a.evidence.sites ||
      b.evidence.blockedRequests - a.evidence.blockedRequests ||
      a.id.localeCompare(b.id),
  );
  spared.sort((a, b) => b.attackRequests - a.attackRequests || a.clientIp.localeCompare(b.clientIp));
  return { blocks, spared, blockedIps };
}
