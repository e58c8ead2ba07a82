import type { Suggestion } from '../../schemas/suggestion.js';
import {
  accountLocations,
  type FleetAccount,
  inAccount,
  placeArn,
  type UnavailableAccount,
} from './accounts.js';
import { allowlistRefusal, createAllowlist } from './allowlist.js';
import { type ForwardedIpRule, settingsKey } from './forwarded-ip.js';
import { normalizeAddress } from './ip-block.js';
import type { OverrideSpec } from './override.js';
import type { WafPort } from './port.js';
import { defaultLocations, discoverWebAcls, matchesAcl, parseWebAclArn, resolveWebAcl } from './targets.js';
import {
  type IpVersion,
  locationKey,
  locationOf,
  type WafLocation,
  type WafScope,
  type WebAclRef,
} from './types.js';

/**
 * What a run has to do, target by target, before reading any web ACL: the suggestions resolved
 * to web ACLs and IP sets. `plan` reads the targets and shows the result; `apply` does it.
 */

export interface IpBlockItem {
  cidr: string;
  version: IpVersion;
  suggestionId: string;
  expiresAt: string;
}

export interface AclWork {
  ref: WebAclRef;
  overrides: OverrideSpec[];
  /** IP versions whose block rule this web ACL needs (from ip-block suggestions). */
  ipVersions: IpVersion[];
  /**
   * Block rules by forwarded address (a CDN in front): from ip-blocks whose `forwardedIpConfig`
   * lists this web ACL, one per IP version and setting, beside the client-IP rules.
   */
  forwardedIp: ForwardedIpRule[];
}

export interface LocationWork {
  location: WafLocation;
  /** Addresses per IP set, one item per address (the latest expiry wins). */
  ipBlocks: IpBlockItem[];
  acls: AclWork[];
}

export interface SkippedItem {
  suggestionId: string;
  reason: string;
}

export interface Work {
  suggestions: Suggestion[];
  locations: LocationWork[];
  /** Parts of suggestions that cannot be applied anywhere (bad address, unknown web ACL). */
  skipped: SkippedItem[];
  /** Things the user should know about the run as a whole (unlistable regions, unknown --acl). */
  problems: string[];
}

export interface WorkOptions {
  /** The region REGIONAL web ACLs are looked up in (CLOUDFRONT is always us-east-1). */
  region: string;
  scopes?: WafScope[];
  /** `--acl`: only these web ACLs (names or ARNs). */
  acls?: string[];
  now: Date;
  /**
   * A fleet run: the accounts the fleet file lists (each web ACL goes to its ARN's account, IP
   * blocks to every web ACL of every account), and those that could not be reached.
   */
  fleet?: {
    accounts: readonly FleetAccount[];
    unavailable: readonly UnavailableAccount[];
    /** Accounts every web ACL of which is a target whatever `acls` says (resuming a run they missed). */
    whole?: readonly string[];
    /** Accounts of the fleet file left out of this run (`--account`): their web ACLs are no targets. */
    notSelected?: readonly string[];
  };
  /** Addresses and ranges no IP block may cover (the configuration's allowlist). */
  allowlist?: readonly string[];
}

const DAY_MS = 86_400_000;

export async function prepareWork(
  port: WafPort,
  suggestions: readonly Suggestion[],
  options: WorkOptions,
): Promise<Work> {
  const skipped: SkippedItem[] = [];
  const problems: string[] = [];
  const needsDiscovery =
    suggestions.some((s) => s.kind === 'ip-block') ||
    suggestions.some((s) => s.kind === 'rule-override' && s.webAcls.some((w) => !parseWebAclArn(w))) ||
    (options.acls ?? []).some((a) => !parseWebAclArn(a));
  const discovery = needsDiscovery
    ? await discoverWebAcls(port, discoveryLocations(suggestions, options))
    : { acls: [], problems: [] };
  problems.push(...discovery.problems);

  // Resuming: the web ACLs left undone, and every web ACL of the accounts the run could not reach.
  const filter = options.acls?.length || options.fleet?.whole?.length ? (options.acls ?? []) : undefined;
  const byArn = new Map<string, AclWork>();
  const aclWork = (ref: WebAclRef): AclWork => {
    let work = byArn.get(ref.arn);
    if (!work) {
      work = { ref, overrides: [], ipVersions: [], forwardedIp: [] };
      byArn.set(ref.arn, work);
    }
    return work;
  };
  const whole = new Set(options.fleet?.whole ?? []);
  const inScope = (ref: WebAclRef) =>
    (!options.scopes || options.scopes.includes(ref.scope)) &&
    (!filter || matchesAcl(ref, filter) || (ref.account !== undefined && whole.has(ref.account)));
  const fleet = options.fleet;
  const unreachable = new Set<string>();
  /** A web ACL in the fleet's terms: in its account, or why it is not a target. */
  const place = (ref: WebAclRef): { ref?: WebAclRef; skip?: string } => {
    if (!fleet || ref.account) return { ref };
    const where = placeArn(ref.arn, fleet.accounts, fleet.unavailable);
    if (where.kind === 'account') return { ref: inAccount(ref, where.account) };
    if (where.kind === 'unknown' && where.accountId && fleet.notSelected?.includes(where.accountId))
      return {};
    if (where.kind === 'unavailable') {
      unreachable.add(where.account.id);
      return {};
    }
    return {
      skip: `web ACL ${ref.name} is in account ${where.accountId ?? '(unknown)'}, which the fleet file does not list`,
    };
  };

  /**
   * The web ACL a suggestion names, placed in its account and in the run's scope; otherwise
   * undefined, with the reason recorded (`what` says which part of the suggestion it was for).
   */
  const targetOf = (name: string, suggestionId: string, what = ''): WebAclRef | undefined => {
    const resolved = resolveWebAcl(name, discovery.acls);
    const placed = resolved.ref ? place(resolved.ref) : {};
    if (!placed.ref) {
      // A resolved web ACL without a reason: its account is unavailable, said once, below.
      if (!resolved.ref || placed.skip)
        skipped.push({
          suggestionId,
          reason: `${what}${placed.skip ?? resolved.problem ?? `unknown web ACL ${name}`}`,
        });
      return undefined;
    }
    return inScope(placed.ref) ? placed.ref : undefined;
  };

  const allowlist = createAllowlist(options.allowlist ?? []);
  const ipBlocks = new Map<string, IpBlockItem>();
  const ipVersionsWanted = new Set<IpVersion>();
  const forwardedFor = new Map<string, WebAclRef>();
  for (const s of suggestions) {
    if (s.kind === 'rule-override') {
      for (const name of s.webAcls) {
        const ref = targetOf(name, s.id);
        if (!ref) continue;
        const work = aclWork(ref);
        if (!work.overrides.some((o) => o.id === s.id)) {
          work.overrides.push({
            id: s.id,
            ruleGroup: s.ruleGroup,
            ruleId: s.ruleId,
            label: s.label,
            scope: s.scope,
          });
        }
      }
      continue;
    }
    const expiresAt = new Date(options.now.getTime() + s.expiresAfterDays * DAY_MS).toISOString();
    const versions = new Set<IpVersion>();
    for (const address of s.addresses) {
      const n = normalizeAddress(address);
      if ('error' in n) {
        skipped.push({ suggestionId: s.id, reason: n.error });
        continue;
      }
      const allowed = allowlist.conflict(n.cidr);
      if (allowed) {
        skipped.push({ suggestionId: s.id, reason: allowlistRefusal(n.cidr, allowed) });
        continue;
      }
      const previous = ipBlocks.get(n.cidr);
      if (!previous || previous.expiresAt < expiresAt)
        ipBlocks.set(n.cidr, { ...n, suggestionId: s.id, expiresAt });
      ipVersionsWanted.add(n.version);
      versions.add(n.version);
    }
    const forwarded = s.forwardedIpConfig;
    if (!forwarded || !versions.size) continue;
    for (const name of forwarded.webAcls) {
      const ref = targetOf(name, s.id, 'forwarded-address block: ');
      if (!ref) continue;
      forwardedFor.set(ref.arn, ref);
      const work = aclWork(ref);
      for (const version of versions) {
        const rule: ForwardedIpRule = {
          version,
          headerName: forwarded.headerName,
          position: forwarded.position,
          fallbackBehavior: forwarded.fallbackBehavior,
        };
        const key = `${version}|${settingsKey(rule)}`;
        if (!work.forwardedIp.some((r) => `${r.version}|${settingsKey(r)}` === key))
          work.forwardedIp.push(rule);
      }
    }
  }
  for (const work of byArn.values()) {
    work.forwardedIp.sort((a, b) =>
      `${a.version}|${settingsKey(a)}`.localeCompare(`${b.version}|${settingsKey(b)}`),
    );
  }

  if (ipBlocks.size) {
    // Every web ACL gets the client-IP rules, the forwarded ones too (a request may reach the ALB directly).
    const targets = [
      ...new Map([...discovery.acls, ...forwardedFor.values()].map((r) => [r.arn, r])).values(),
    ].filter(inScope);
    for (const ref of targets) aclWork(ref).ipVersions = [...ipVersionsWanted].sort();
    if (!targets.length) problems.push('no web ACL to put the IP blocks on');
  }

  for (const u of fleet?.unavailable ?? []) {
    problems.push(
      `account ${u.account.name} (${u.account.id}) is left out: ${u.reason}${unreachable.has(u.account.id) ? ' (suggestions name web ACLs in it)' : ''}`,
    );
  }

  if (filter) {
    const all = [...discovery.acls, ...[...byArn.values()].map((w) => w.ref)];
    for (const name of filter) {
      if (!all.some((ref) => matchesAcl(ref, [name])))
        problems.push(`--acl ${name}: no such web ACL among the targets`);
    }
  }

  const locations = new Map<string, LocationWork>();
  for (const work of byArn.values()) {
    const key = locationKey(work.ref);
    let loc = locations.get(key);
    if (!loc) {
      const location = locationOf(work.ref);
      loc = { location, acls: [], ipBlocks: work.ipVersions.length ? [...ipBlocks.values()] : [] };
      locations.set(key, loc);
    }
    if (work.ipVersions.length && !loc.ipBlocks.length) loc.ipBlocks = [...ipBlocks.values()];
    loc.acls.push(work);
  }
  for (const loc of locations.values()) loc.acls.sort((a, b) => a.ref.name.localeCompare(b.ref.name));
  return {
    suggestions: [...suggestions],
    locations: [...locations.values()].sort((a, b) =>
      locationKey(a.location).localeCompare(locationKey(b.location)),
    ),
    skipped,
    problems,
  };
}

/**
 * Where to look for web ACLs: REGIONAL in the region asked for, CLOUDFRONT, and every other
 * region the suggestions' web ACL ARNs name (a fleet seen in the logs spans regions).
 */
export function discoveryLocations(suggestions: readonly Suggestion[], options: WorkOptions): WafLocation[] {
  const fleet = options.fleet;
  const base = fleet
    ? fleet.accounts
        .filter((a) => !fleet.unavailable.some((u) => u.account.id === a.id))
        .flatMap((a) => accountLocations(a))
        .filter((l) => !options.scopes || options.scopes.includes(l.scope))
    : defaultLocations(options.region, options.scopes);
  const locations = new Map(base.map((l) => [locationKey(l), l]));
  const arns = [
    ...suggestions.flatMap((s) =>
      s.kind === 'rule-override'
        ? s.webAcls
        : [...s.evidence.webAcls, ...(s.forwardedIpConfig?.webAcls ?? [])],
    ),
    ...(options.acls ?? []),
  ];
  for (const arn of arns) {
    const parsed = parseWebAclArn(arn);
    if (!parsed || (options.scopes && !options.scopes.includes(parsed.scope))) continue;
    let ref: WebAclRef = parsed;
    if (fleet) {
      const where = placeArn(parsed.arn, fleet.accounts, fleet.unavailable);
      if (where.kind !== 'account') continue;
      ref = inAccount(parsed, where.account);
    }
    const location = locationOf(ref);
    if (!locations.has(locationKey(location))) locations.set(locationKey(location), location);
  }
  return [...locations.values()];
}

export function aclCount(work: Work): number {
  return work.locations.reduce((n, l) => n + l.acls.length, 0);
}
