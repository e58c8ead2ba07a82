import {
  aclContext,
  aclMutations,
  type IpSetTargets,
  isPendingRule,
  pendingIpSetArn,
  pendingRuleWcu,
} from './acl-mutations.js';
import { mapLimit } from './concurrency.js';
import { diffRules, type RuleDiff, sameRules } from './diff.js';
import type { LedgerItem } from './expire.js';
import type { ForwardedIpRule } from './forwarded-ip.js';
import { addressKey, IP_SET_MAX_ADDRESSES, missingAddresses } from './ip-block.js';
import { findIpSet } from './ip-sets.js';
import { applyMutations, type MutationOutcome } from './mutation.js';
import { ipSetName } from './names.js';
import { errorMessage, type WafPort } from './port.js';
import {
  type IpSetRef,
  type IpVersion,
  type Rule,
  sameLocation,
  type WafLocation,
  type WebAcl,
  type WebAclRef,
} from './types.js';
import type { IpBlockItem, LocationWork, Work } from './work.js';

/**
 * `waftune plan`: reads every target and shows what `apply` would change, per web ACL, with the
 * WCU before and after (CheckCapacity). Reads only.
 */

/** WAF's hard limit per web ACL (DESIGN §5); 1,500 is what the base price includes. */
export const WEB_ACL_MAX_WCU = 5_000;
export const WEB_ACL_BASE_WCU = 1_500;
const EXTEND_MIN_MS = 86_400_000;

export interface IpSetPlan {
  location: WafLocation;
  version: IpVersion;
  name: string;
  ref?: IpSetRef;
  status: 'create' | 'update' | 'extend' | 'unchanged' | 'refused' | 'failed';
  currentCount: number;
  /** The addresses the set holds now (none for a set to create). */
  current?: string[];
  add: IpBlockItem[];
  /** Already blocked by waftune, with a later expiry now (recorded in the change history only). */
  extend: IpBlockItem[];
  reason?: string;
}

export interface AclPlan {
  ref: WebAclRef;
  status: 'change' | 'unchanged' | 'refused' | 'failed';
  outcomes: MutationOutcome[];
  diff: RuleDiff[];
  before?: WebAcl;
  afterRules?: Rule[];
  wcuBefore?: number;
  wcuAfter?: number;
  /** The after figure counts an IP set that apply will create, so it was not asked of WAF. */
  wcuEstimated?: boolean;
  reason?: string;
  /** Where a CDN is in front: the block rules by forwarded address this web ACL gets (or has). */
  forwardedIp: ForwardedIpRule[];
}

export interface Plan {
  work: Work;
  ipSets: IpSetPlan[];
  acls: AclPlan[];
  maxWcu: number;
}

export interface PlanOptions {
  maxWcu?: number;
  concurrency?: number;
  /** The IP blocks waftune tracks (from the change history), to tell an expiry extension from a no-op. */
  ledger?: readonly LedgerItem[];
}

export function versionsOf(items: readonly IpBlockItem[]): IpVersion[] {
  return [...new Set(items.map((i) => i.version))].sort();
}

export async function planIpSet(
  port: WafPort,
  location: WafLocation,
  version: IpVersion,
  items: IpBlockItem[],
  ledger: readonly LedgerItem[] = [],
): Promise<IpSetPlan> {
  const name = ipSetName(version);
  const base = { location, version, name, currentCount: 0, add: items, extend: [] as IpBlockItem[] };
  try {
    const ref = await findIpSet(port, location, name);
    if (!ref) {
      if (items.length > IP_SET_MAX_ADDRESSES)
        return { ...base, status: 'refused', reason: tooMany(name, items.length) };
      return { ...base, status: 'create' };
    }
    const { ipSet } = await port.getIpSet(ref);
    const missing = new Set(
      missingAddresses(
        ipSet.Addresses,
        items.map((i) => i.cidr),
      ),
    );
    const add = items.filter((i) => missing.has(i.cidr));
    const total = ipSet.Addresses.length + add.length;
    const tracked = new Map(
      ledger
        .filter((l) => l.setName === name && sameLocation(l.location, location))
        .map((l) => [addressKey(l.address), l.expiresAt]),
    );
    // Re-applying the same suggestion the same day is a no-op, not a few milliseconds more of block.
    const later = (i: IpBlockItem) => {
      const known = tracked.get(addressKey(i.cidr));
      return known !== undefined && Date.parse(i.expiresAt) - Date.parse(known) >= EXTEND_MIN_MS;
    };
    const extend = items.filter((i) => !missing.has(i.cidr) && later(i));
    const current = {
      ...base,
      ref,
      currentCount: ipSet.Addresses.length,
      current: [...ipSet.Addresses],
      add,
      extend,
    };
    if (!add.length) return { ...current, status: extend.length ? 'extend' : 'unchanged' };
    if (total > IP_SET_MAX_ADDRESSES) return { ...current, status: 'refused', reason: tooMany(name, total) };
    return { ...current, status: 'update' };
  } catch (error) {
    return { ...base, status: 'failed', reason: errorMessage(error) };
  }
}

export function tooMany(name: string, total: number): string {
  return `${name} would hold ${total.toLocaleString('en-US')} addresses; WAF allows ${IP_SET_MAX_ADDRESSES.toLocaleString('en-US')} per IP set`;
}

function ipSetTargets(plans: readonly IpSetPlan[]): IpSetTargets {
  const targets: IpSetTargets = new Map();
  for (const p of plans) {
    if (p.status === 'refused' || p.status === 'failed')
      targets.set(p.version, { refused: `${p.name}: ${p.reason ?? p.status}` });
    else targets.set(p.version, { arn: p.ref?.arn ?? pendingIpSetArn(p.location, p.version) });
  }
  return targets;
}

/** Status of a web ACL from its mutations' outcomes. */
export function aclStatus(outcomes: readonly MutationOutcome[]): 'change' | 'unchanged' | 'refused' {
  if (outcomes.some((o) => o.status === 'changed')) return 'change';
  return outcomes.some((o) => o.status === 'refused') ? 'refused' : 'unchanged';
}

export function capacityRefusal(wcu: number, maxWcu: number): string {
  return `the rules would need ${wcu} WCU, more than this web ACL's limit of ${maxWcu}`;
}

async function planAcl(
  port: WafPort,
  loc: LocationWork,
  index: number,
  targets: IpSetTargets,
  maxWcu: number,
): Promise<AclPlan> {
  const work = loc.acls[index];
  if (!work) throw new Error('no such web ACL in the work');
  const base = {
    ref: work.ref,
    outcomes: [] as MutationOutcome[],
    diff: [] as RuleDiff[],
    forwardedIp: work.forwardedIp,
  };
  try {
    const { acl } = await port.getWebAcl(work.ref);
    const before = acl.Rules ?? [];
    const { rules, outcomes } = applyMutations(before, aclMutations(work, targets), aclContext(acl));
    const status = aclStatus(outcomes);
    if (status !== 'change' || sameRules(before, rules)) {
      return {
        ...base,
        status: status === 'change' ? 'unchanged' : status,
        outcomes,
        before: acl,
        reason: firstReason(outcomes),
      };
    }
    const pending = rules.filter(isPendingRule);
    const [wcuBefore, checked] = await Promise.all([
      port.checkCapacity(work.ref, before),
      port.checkCapacity(
        work.ref,
        rules.filter((r) => !isPendingRule(r)),
      ),
    ]);
    const wcuAfter = checked + pending.reduce((n, r) => n + pendingRuleWcu(r), 0);
    const plan: AclPlan = {
      ...base,
      status: 'change',
      outcomes,
      diff: diffRules(before, rules),
      before: acl,
      afterRules: rules,
      wcuBefore,
      wcuAfter,
      wcuEstimated: pending.length > 0,
    };
    if (wcuAfter > maxWcu) return { ...plan, status: 'refused', reason: capacityRefusal(wcuAfter, maxWcu) };
    return plan;
  } catch (error) {
    return { ...base, status: 'failed', reason: errorMessage(error) };
  }
}

/** Why a web ACL is not (fully) changed: the first refusal, or that everything is in place already. */
export function firstReason(outcomes: readonly MutationOutcome[]): string | undefined {
  const refused = outcomes.find((o) => o.status === 'refused');
  if (refused) return refused.reason;
  if (outcomes.length === 1) return outcomes[0]?.reason;
  return outcomes.some((o) => o.status === 'changed') ? undefined : 'already applied';
}

export async function planWork(port: WafPort, work: Work, options: PlanOptions = {}): Promise<Plan> {
  const maxWcu = options.maxWcu ?? WEB_ACL_MAX_WCU;
  const ipSets: IpSetPlan[] = [];
  const acls: AclPlan[] = [];
  for (const loc of work.locations) {
    const locSets: IpSetPlan[] = [];
    for (const version of versionsOf(loc.ipBlocks)) {
      const items = loc.ipBlocks.filter((i) => i.version === version);
      locSets.push(await planIpSet(port, loc.location, version, items, options.ledger));
    }
    ipSets.push(...locSets);
    const targets = ipSetTargets(locSets);
    acls.push(
      ...(await mapLimit(loc.acls, options.concurrency ?? 4, (_a, i) =>
        planAcl(port, loc, i, targets, maxWcu),
      )),
    );
  }
  return { work, ipSets, acls, maxWcu };
}

const WRITES = new Set<IpSetPlan['status']>(['create', 'update', 'extend']);

/** Something apply would write (to WAF, or an expiry to the change history). */
export function planHasChanges(plan: Plan): boolean {
  return plan.acls.some((a) => a.status === 'change') || plan.ipSets.some((x) => WRITES.has(x.status));
}

/**
 * What apply does after showing the plan: the web ACLs with changes (and those the plan could not
 * read, to try again), and the IP sets of locations where the plan writes one. Like a saved
 * Terraform plan, it skips what the plan found already done; each target is read again anyway.
 */
export function workToApply(plan: Plan): Work {
  const keep = new Set(
    plan.acls.filter((a) => a.status === 'change' || a.status === 'failed').map((a) => a.ref.arn),
  );
  const writesIpSets = (loc: LocationWork) =>
    plan.ipSets.some(
      (x) => sameLocation(x.location, loc.location) && (WRITES.has(x.status) || x.status === 'failed'),
    );
  const locations = plan.work.locations
    .map((loc) => {
      const acls = loc.acls.filter((a) => keep.has(a.ref.arn));
      // A web ACL that gets the block rule needs the set's ARN, so the set is looked at even if unchanged.
      const needsSets = writesIpSets(loc) || acls.some((a) => a.ipVersions.length > 0);
      return { ...loc, ipBlocks: needsSets ? loc.ipBlocks : [], acls };
    })
    .filter((loc) => loc.acls.length || loc.ipBlocks.length);
  return { ...plan.work, locations };
}
