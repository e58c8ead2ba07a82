import { accountOfArn } from './accounts.js';
import { ipSetTarget } from './apply.js';
import {
  type Actor,
  type AuditStore,
  type ChangeEntry,
  type ChangeRecord,
  ipSetState,
  newChangeId,
} from './audit.js';
import { ChangeRun, type NewEntry, type RunResult } from './change-run.js';
import { addressKey, withoutAddresses } from './ip-block.js';
import { findIpSet } from './ip-sets.js';
import { errorMessage, isWafError, type WafPort } from './port.js';
import { DEFAULT_RETRY, type RetryPolicy, withLockRetry } from './retry.js';
import type { IpSet, IpSetRef, IpVersion, WafLocation } from './types.js';

/**
 * IP blocks expire. WAF keeps no date on an address, so the dates live in the change history:
 * the ledger below replays it (added with an expiry, removed by expire or rollback) and `expire`
 * removes from the waftune IP sets what is past its date. A scheduled function runs the same
 * `planExpiry` + `executeExpiry` with an S3 audit store.
 */

export interface LedgerItem {
  location: WafLocation;
  version: IpVersion;
  setName: string;
  address: string;
  expiresAt: string;
  suggestionId: string;
  changeId: string;
  /**
   * The set as last recorded. Expiry reads and writes it by this id, so it needs no ListIPSets
   * (which IAM grants only on every resource): the scheduled function is allowed waftune's own
   * IP sets and nothing else.
   */
  ref?: IpSetRef;
}

function setKey(e: ChangeEntry): string {
  return `${e.target.account ?? ''}/${e.target.scope}/${e.target.region}/${e.target.name}`;
}

function itemSetKey(i: LedgerItem): string {
  return `${i.location.account ?? ''}/${i.location.scope}/${i.location.region}/${i.setName}`;
}

function targetLocation(e: ChangeEntry): WafLocation {
  const t = e.target;
  return {
    scope: t.scope,
    region: t.region,
    ...(t.account ? { account: t.account } : {}),
    ...(t.accountName ? { accountName: t.accountName } : {}),
  };
}

/** Every address waftune blocked and has not removed since, with its expiry. */
export function ipBlockLedger(records: readonly ChangeRecord[]): LedgerItem[] {
  const ledger = new Map<string, LedgerItem>();
  const latestRef = new Map<string, IpSetRef>();
  const ordered = [...records].sort((a, b) =>
    a.header.createdAt < b.header.createdAt ? -1 : a.header.createdAt > b.header.createdAt ? 1 : 0,
  );
  for (const record of ordered) {
    for (const entry of [...record.entries].sort((a, b) => a.seq - b.seq)) {
      if (entry.target.type !== 'ip-set' || (entry.status !== 'applied' && entry.status !== 'unchanged'))
        continue;
      const set = setKey(entry);
      if (entry.target.id && entry.target.arn) {
        const { name, id, arn } = entry.target;
        latestRef.set(set, { ...targetLocation(entry), name, id, arn });
      }
      const before = ipSetState(entry.before);
      const after = entry.after === null ? [] : ipSetState(entry.after);
      if (entry.status === 'applied' && before && after) {
        for (const gone of withoutAddresses(before, after)) ledger.delete(`${set}|${addressKey(gone)}`);
      }
      for (const block of entry.ipBlocks ?? []) {
        const key = `${set}|${addressKey(block.address)}`;
        const known = ledger.get(key);
        // An address that was in the set before waftune added it is not waftune's to expire.
        if (block.alreadyPresent && !known) continue;
        if (known && known.expiresAt >= block.expiresAt) continue;
        ledger.set(key, {
          location: targetLocation(entry),
          version: entry.target.version ?? 'IPV4',
          setName: entry.target.name,
          address: block.address,
          expiresAt: block.expiresAt,
          suggestionId: block.suggestionId,
          changeId: record.header.id,
        });
      }
    }
  }
  return [...ledger.values()].map((item) => {
    const ref = latestRef.get(itemSetKey(item));
    return ref ? { ...item, ref } : item;
  });
}

/** The account of a recorded block or of an expiry set: as recorded, else its IP set's ARN's. */
export function accountOfItem(i: Pick<LedgerItem, 'location' | 'ref'>): string | undefined {
  return i.location.account ?? (i.ref ? accountOfArn(i.ref.arn) : undefined);
}

export interface ExpirySet {
  location: WafLocation;
  version: IpVersion;
  name: string;
  ref?: IpSetRef;
  /** Past their date and still in the set. */
  expired: LedgerItem[];
  currentCount: number;
  status: 'remove' | 'nothing' | 'failed';
  reason?: string;
}

export interface ExpiryPlan {
  now: string;
  sets: ExpirySet[];
  /** Blocks still running, soonest first (for the report). */
  upcoming: LedgerItem[];
}

export interface PlanExpiryOptions {
  /** Only these places (the scheduled function's region, and us-east-1 for CLOUDFRONT when asked). */
  locations?: readonly WafLocation[];
  /** Fleet runs: accounts that could not be reached; their sets are reported, not read. */
  unavailable?: ReadonlyMap<string, string>;
  /** Fleet runs: only the IP sets of these accounts (by id). */
  accounts?: readonly string[];
}

export async function planExpiry(
  port: WafPort,
  store: AuditStore,
  now: Date,
  options: PlanExpiryOptions = {},
): Promise<ExpiryPlan> {
  const only = options.locations;
  const accounts = options.accounts;
  const ledger = ipBlockLedger(await store.list())
    .filter((i) => !only || only.some((l) => l.scope === i.location.scope && l.region === i.location.region))
    .filter(
      (i) => !accounts || accountOfItem(i) === undefined || accounts.includes(accountOfItem(i) as string),
    );
  const nowIso = now.toISOString();
  const due = ledger.filter((i) => i.expiresAt <= nowIso);
  const upcoming = ledger
    .filter((i) => i.expiresAt > nowIso)
    .sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : 1));
  const bySet = new Map<string, LedgerItem[]>();
  for (const item of due) {
    const key = itemSetKey(item);
    bySet.set(key, [...(bySet.get(key) ?? []), item]);
  }
  const sets: ExpirySet[] = [];
  for (const items of bySet.values()) {
    const first = items[0];
    if (!first) continue;
    const base = { location: first.location, version: first.version, name: first.setName, currentCount: 0 };
    const down = first.location.account ? options.unavailable?.get(first.location.account) : undefined;
    if (down) {
      sets.push({
        ...base,
        ref: first.ref,
        expired: items,
        status: 'failed',
        reason: `account unavailable: ${down}`,
      });
      continue;
    }
    const gone: ExpirySet = {
      ...base,
      expired: [],
      status: 'nothing',
      reason: 'the IP set no longer exists',
    };
    try {
      const ref = first.ref ?? (await findIpSet(port, first.location, first.setName));
      if (!ref) {
        sets.push(gone);
        continue;
      }
      let ipSet: IpSet;
      try {
        ipSet = (await port.getIpSet(ref)).ipSet;
      } catch (error) {
        // Deleted since it was recorded: what it held is not blocked any more.
        if (!isWafError(error, 'not-found')) throw error;
        sets.push(gone);
        continue;
      }
      const present = new Set(ipSet.Addresses.map(addressKey));
      const expired = items.filter((i) => present.has(addressKey(i.address)));
      sets.push({
        ...base,
        ref,
        expired,
        currentCount: ipSet.Addresses.length,
        status: expired.length ? 'remove' : 'nothing',
      });
    } catch (error) {
      sets.push({ ...base, expired: [], status: 'failed', reason: errorMessage(error) });
    }
  }
  return { now: nowIso, sets, upcoming };
}

export interface ExpireOptions {
  actor: Actor;
  now: () => Date;
  retry?: RetryPolicy;
  command?: string[];
  /** Stop before the next target once aborted (Ctrl-C): the one being written finishes and is recorded. */
  signal?: AbortSignal;
}

async function expireSet(port: WafPort, set: ExpirySet, retry: RetryPolicy): Promise<NewEntry> {
  const target = ipSetTarget(set.location, set.version, set.ref);
  const suggestionIds = [...new Set(set.expired.map((i) => i.suggestionId))];
  const ref = set.ref;
  if (!ref) return { target, status: 'failed', reason: set.reason ?? 'no IP set', suggestionIds };
  try {
    const { value, attempts } = await withLockRetry(retry, async (): Promise<NewEntry> => {
      const { ipSet, lockToken } = await port.getIpSet(ref);
      const addresses = withoutAddresses(
        ipSet.Addresses,
        set.expired.map((i) => i.address),
      );
      if (addresses.length === ipSet.Addresses.length) {
        return {
          target,
          status: 'unchanged',
          reason: 'the expired addresses are gone already',
          suggestionIds,
        };
      }
      const lockTokenAfter = await port.updateIpSet(ref, addresses, lockToken, ipSet.Description);
      return {
        target,
        status: 'applied',
        suggestionIds,
        before: { addresses: ipSet.Addresses },
        after: { addresses },
        lockTokenAfter,
      };
    });
    return { ...value, attempts };
  } catch (error) {
    return { target, status: 'failed', reason: errorMessage(error), suggestionIds };
  }
}

export async function executeExpiry(
  port: WafPort,
  store: AuditStore,
  plan: ExpiryPlan,
  options: ExpireOptions,
): Promise<RunResult> {
  const createdAt = options.now();
  const run = await ChangeRun.start(
    store,
    {
      version: 1,
      id: newChangeId(createdAt),
      kind: 'expire',
      createdAt: createdAt.toISOString(),
      actor: options.actor,
      ...(options.command ? { command: options.command } : {}),
      suggestions: [],
      targets: [],
    },
    options.now,
  );
  for (const set of plan.sets) {
    if (options.signal?.aborted) break;
    if (set.status === 'nothing') continue;
    await run.add(await expireSet(port, set, options.retry ?? DEFAULT_RETRY));
  }
  return run.finish();
}
