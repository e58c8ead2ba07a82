import type { Config } from '../../schemas/config.js';
import type { ForwardedIpConfig, IpBlock } from '../../schemas/suggestion.js';
import { type FinalGroup, ipFactsFrom } from '../analyze/fleet.js';
import type { IpProfileRow } from '../analyze/query-rows.js';
import { publishedCdnOf } from '../cdn/published-edges.js';
import { doesAdminWork } from '../classify/signals/ip-admin-work.js';
import { isIntegration } from '../classify/signals/ip-integration.js';
import { isMonitor } from '../classify/signals/uptime-monitor.js';
import { signalById } from '../classify/signals.js';
import { stableId } from './ids.js';
import { createIpGuard, hostCidr, ipv6Slash64 } from './ip-guard.js';
import { sampleRequests } from './samples.js';
import { DEFINITIVE_ATTACK_SIGNALS, STRONG_ATTACK_SIGNALS } from './strong-signals.js';

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

/** The header a CDN in front appends the client to, and how WAF must read it: the right-most entry only. */
const FORWARDED: Omit<ForwardedIpConfig, 'webAcls'> = {
  headerName: 'X-Forwarded-For',
  position: 'LAST',
  fallbackBehavior: 'NO_MATCH',
};

/** One client's attack evidence, before deciding whether it is blocked alone or with its /64. */
interface Evidence {
  ip: string;
  groups: FinalGroup[];
  profile: IpProfileRow | undefined;
  strongSignals: Set<string>;
  strongRequests: number;
  blockedAttack: number;
  hosts: Set<string>;
  attackSites: number;
  definitive: boolean;
}

const strongOf = (signals: readonly string[]) => signals.filter((s) => STRONG_ATTACK_SIGNALS.has(s));

function evidenceOf(ip: string, list: FinalGroup[], profile: IpProfileRow | undefined): Evidence {
  const strong = list.filter((g) => strongOf(g.final.signals).length > 0);
  const strongSignals = new Set([
    ...strong.flatMap((g) => strongOf(g.final.signals)),
    ...strongOf(profile?.attack_signals ?? []),
  ]);
  const hosts = new Set(list.map((g) => g.host));
  return {
    ip,
    groups: list,
    profile,
    strongSignals,
    strongRequests: strong.reduce((s, g) => s + g.requests, 0) + (profile?.allowed_attack_requests ?? 0),
    blockedAttack: list.reduce((s, g) => s + g.requests, 0),
    hosts,
    attackSites: Math.max(hosts.size, profile?.attack_sites ?? 0),
    definitive: [...strongSignals].some((s) => DEFINITIVE_ATTACK_SIGNALS.has(s)),
  };
}

const enough = (e: Pick<Evidence, 'attackSites' | 'strongRequests' | 'definitive'>, config: Config) =>
  e.definitive ||
  e.attackSites >= config.ipBlock.minSites ||
  e.strongRequests >= config.ipBlock.minStrongRequests;

/**
 * IP-set blocks for sources with attack evidence — blocked attacks, or probes and scanner tools
 * that no rule stopped — and the attack-looking sources deliberately spared (CDN edges, admin
 * work, integrations, monitors, private or allowlisted addresses) with the reason. The source is
 * the client (behind a CDN, the forwarded address); a client seen through a CDN is blocked by its
 * forwarded address on those web ACLs. Several attacking IPv6 addresses of one /64 with no benign
 * neighbour are one /64 block, never wider.
 */
export function suggestIpBlocks(
  groups: readonly FinalGroup[],
  ips: ReadonlyMap<string, IpProfileRow>,
  config: Config,
): { blocks: IpBlock[]; spared: SparedSource[] } {
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

  const spared: SparedSource[] = [];
  const attacking = new Map<string, Evidence>();
  for (const ip of [...candidates].sort()) {
    const e = evidenceOf(ip, attackGroups.get(ip) ?? [], ips.get(ip));
    if (e.strongSignals.size === 0 || e.strongRequests === 0) continue;
    const why = whyNotBlock(ip, e.profile, guard);
    if (why) {
      if (enough(e, config))
        spared.push({
          clientIp: ip,
          attackRequests: e.blockedAttack + (e.profile?.allowed_attack_requests ?? 0),
          why,
        });
      continue;
    }
    attacking.set(ip, e);
  }

  const blocks: IpBlock[] = [];
  for (const members of groupBySlash64(attacking, ips)) {
    const merged = mergeEvidence(members);
    if (!enough(merged, config)) continue;
    const address = members.length > 1 ? `${ipv6Slash64(members[0]?.ip ?? '')}/64` : hostCidr(merged.ip);
    blocks.push(buildBlock(address, members, merged, config));
  }
  blocks.sort(
    (a, b) =>
      b.evidence.sites - a.evidence.sites ||
      b.evidence.blockedRequests - a.evidence.blockedRequests ||
      a.id.localeCompare(b.id),
  );
  spared.sort((a, b) => b.attackRequests - a.attackRequests || a.clientIp.localeCompare(b.clientIp));
  return { blocks, spared };
}

/** Why an address with attack evidence must not be blocked, or null. */
function whyNotBlock(
  ip: string,
  profile: IpProfileRow | undefined,
  guard: ReturnType<typeof createIpGuard>,
): string | null {
  const facts = profile && ipFactsFrom(profile);
  return (
    frontReason(ip, profile) ??
    guard.whyNot(ip) ??
    (facts && doesAdminWork(facts)
      ? `it also did ${facts.adminWork} allowed logged-in admin request(s)`
      : null) ??
    (facts && isIntegration(facts)
      ? `a consistent integration client (credentials or signed callbacks, ${facts.userAgents} user agent(s), ${facts.allowedRequests} of ${facts.requests} requests allowed, no payloads): an application password, app or webhook`
      : null) ??
    (facts && isMonitor(facts) ? 'it only fetches the home page or a health path (a monitor)' : null) ??
    (profile && isSharedAddress(profile)
      ? `a shared address (CDN, proxy or large NAT): ${profile.user_agents} user agents, mostly ordinary traffic`
      : null) ??
    (profile?.filtered_logs ? filteredLogsReason(profile) : null)
  );
}

const PUBLISHED_CDNS: Readonly<Record<string, string | undefined>> = {
  cloudfront: 'CloudFront',
  cloudflare: 'Cloudflare',
  fastly: 'Fastly',
};

/**
 * Addresses that stand for others: CDN edges and proxies. Never blocked (each may carry every
 * client behind it); their clients are judged, and blocked, by the right-most X-Forwarded-For.
 * A front only its traffic shows could be a client forging that header, but the address it names
 * is one identity with that address's own traffic everywhere, so a client with benign history is
 * spared whatever a forger says of it, and the forger's own address is never the one blocked.
 */
function frontReason(ip: string, profile: IpProfileRow | undefined): string | null {
  const edge = profile?.edge_kind ?? publishedCdnOf(ip);
  if (!edge) return null;
  const cdn = PUBLISHED_CDNS[edge];
  if (cdn)
    return `a ${cdn} edge address (${cdn}'s published ranges): blocking it would take down every site behind it; its clients are judged, and blocked, by their forwarded addresses`;
  if (edge === 'configured')
    return 'a proxy you trust (trustedProxies): its clients are judged, and blocked, by their forwarded addresses';
  return `it forwards many distinct clients (X-Forwarded-For, ${profile?.user_agents ?? 0} user agents) like a CDN edge or proxy (in no published CDN range, not in trustedProxies): never blocked, since it may carry every client behind it; its clients are judged, and blocked, by their forwarded addresses; add it to trustedProxies if it is yours`;
}

/** On filtered logs, a few user agents among an address's kept records already suggest many behind it. */
const FILTERED_SHARED_MIN_USER_AGENTS = 5;
/** Distinct forwarded clients on an address's own requests that suggest a proxy or NAT in front of them. */
const FILTERED_SHARED_MIN_FORWARDED = 3;

/**
 * Where some web ACL logs as `connect`'s filter does, the allowed traffic that shows an address is
 * an integration (its allowed authenticated reads) or shared (many user agents, mostly ordinary
 * requests; clients behind a proxy) is gone. What the kept records still carry decides, on the
 * side of not blocking: credentials or signed callbacks without payload evidence, several forwarded
 * clients, several user agents.
 */
function filteredLogsReason(p: IpProfileRow): string | null {
  const f = ipFactsFrom(p);
  if ((f.authRequests > 0 || f.callbackRequests > 0) && f.hostileRequests === 0 && f.userAgents <= 2)
    return 'it may be an integration (credentials or signed callbacks, no payloads), and the filtered logs hold none of its allowed requests to show it: not blocked on filtered logs (connect --keep-allow shows them)';
  if (p.forwarded_clients >= FILTERED_SHARED_MIN_FORWARDED)
    return `it may be a proxy or NAT (its requests forward ${p.forwarded_clients} distinct clients), and the filtered logs hold none of its allowed traffic to tell: not blocked on filtered logs (connect --keep-allow shows it)`;
  if (p.user_agents >= FILTERED_SHARED_MIN_USER_AGENTS && p.attack_requests < p.requests)
    return `it may be a shared address (${p.user_agents} user agents in its kept records alone), and the filtered logs hold none of its allowed traffic to tell: not blocked on filtered logs (connect --keep-allow shows it)`;
  return null;
}

/**
 * The blocks to make: one address each, except attacking IPv6 addresses that share a /64 in
 * which every address seen in the window is attacking (no visitor, editor, monitor or edge): those
 * are one block. IPv4-mapped addresses are IPv4.
 */
function groupBySlash64(attacking: ReadonlyMap<string, Evidence>, ips: ReadonlyMap<string, IpProfileRow>) {
  const byPrefix = new Map<string, Evidence[]>();
  const out: Evidence[][] = [];
  for (const e of attacking.values()) {
    const prefix = ipv6Slash64(e.ip);
    if (prefix === null) out.push([e]);
    else byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), e]);
  }
  if (byPrefix.size === 0) return out;
  const benignIn = new Set<string>();
  for (const ip of ips.keys()) {
    const prefix = ipv6Slash64(ip);
    if (prefix !== null && byPrefix.has(prefix) && !attacking.has(ip)) benignIn.add(prefix);
  }
  for (const [prefix, members] of byPrefix) {
    if (members.length > 1 && !benignIn.has(prefix)) out.push(members);
    else for (const e of members) out.push([e]);
  }
  return out;
}

function mergeEvidence(members: readonly Evidence[]): Evidence {
  const first = members[0] as Evidence;
  if (members.length === 1) return first;
  const hosts = new Set(members.flatMap((m) => [...m.hosts]));
  return {
    ip: first.ip,
    groups: members.flatMap((m) => m.groups),
    profile: first.profile,
    strongSignals: new Set(members.flatMap((m) => [...m.strongSignals])),
    strongRequests: members.reduce((s, m) => s + m.strongRequests, 0),
    blockedAttack: members.reduce((s, m) => s + m.blockedAttack, 0),
    hosts,
    attackSites: Math.max(hosts.size, ...members.map((m) => m.attackSites)),
    definitive: members.some((m) => m.definitive),
  };
}

function buildBlock(address: string, members: readonly Evidence[], e: Evidence, config: Config): IpBlock {
  const profiles = members.flatMap((m) => (m.profile ? [m.profile] : []));
  const sum = (f: (p: IpProfileRow) => number) => profiles.reduce((s, p) => s + f(p), 0);
  const allowedAttack = sum((p) => p.allowed_attack_requests);
  const signals = [
    ...new Set([
      ...e.groups.flatMap((g) => g.final.signals),
      ...profiles.flatMap((p) => p.attack_signals ?? []),
    ]),
  ];
  const userAgents = [
    ...new Set([
      ...e.groups.map((g) => g.user_agent ?? '(none)'),
      ...profiles.flatMap((p) => (p.sample_user_agent ? [p.sample_user_agent] : [])),
    ]),
  ].slice(0, 5);
  const confidence = Math.min(
    0.99,
    0.55 +
      0.05 * Math.min(e.attackSites, 6) +
      0.05 * Math.min(e.strongSignals.size, 3) +
      (e.definitive ? 0.1 : 0),
  );
  const cdnAcls = [...new Set(profiles.flatMap((p) => p.cdn_web_acls ?? []))].sort();
  const reasons = [
    `${e.blockedAttack} blocked request(s) with attack evidence; attack evidence on ${e.attackSites} site(s)`,
    ...(members.length > 1
      ? [
          `${members.length} attacking addresses in this /64 and no other address of it seen in the window: one /64 block`,
        ]
      : []),
    ...(allowedAttack > 0
      ? [`${allowedAttack} more request(s) with attack evidence that no rule stopped`]
      : []),
    ...(cdnAcls.length > 0
      ? [
          `seen through a CDN on ${cdnAcls.length} web ACL(s): blocked there by the right-most X-Forwarded-For address (the one the CDN appended; the client writes the rest)`,
        ]
      : []),
    ...[...e.strongSignals].map((s) => signalById(s)?.reason ?? s),
  ];
  return {
    id: stableId('ipb', { address }),
    kind: 'ip-block',
    addresses: [address],
    ...(cdnAcls.length > 0 ? { forwardedIpConfig: { ...FORWARDED, webAcls: cdnAcls } } : {}),
    expiresAfterDays: config.ipBlock.expiresAfterDays,
    confidence: Math.round(confidence * 100) / 100,
    evidence: {
      requests: profiles.length > 0 ? sum((p) => p.requests) : e.blockedAttack,
      blockedRequests: profiles.length > 0 ? sum((p) => p.blocked) : e.blockedAttack,
      sites: e.attackSites,
      webAcls: [...new Set(e.groups.map((g) => g.web_acl_arn))].sort(),
      signals,
      userAgents,
      samples: sampleRequests(e.groups),
    },
    reasons,
  };
}
