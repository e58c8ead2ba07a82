import { type Actor, type AuditStore, ipSetState } from '../../src/waf/audit.js';
import { accountOfItem, executeExpiry, planExpiry } from '../../src/waf/expire.js';
import { locationFor, type WafPort } from '../../src/waf/port.js';
import type { RetryPolicy } from '../../src/waf/retry.js';
import type { WafLocation } from '../../src/waf/types.js';
import type { ExpireSettings } from './settings.js';

/**
 * The expire function's work, dependencies passed in: the same planExpiry + executeExpiry as
 * `waftune expire --yes`, limited to the places this stack may touch. Nothing to remove records
 * no change, as with the CLI, so an hourly schedule does not fill the history with empty runs.
 */

export interface ExpiredSet {
  name: string;
  /** The set's account (as recorded, or from its ARN); null when the history does not say. */
  account: string | null;
  scope: WafLocation['scope'];
  region: string;
  status: 'removed' | 'unchanged' | 'failed';
  /** The addresses past their date that were (to be) removed. */
  addresses: string[];
  reason: string | null;
}

export interface ExpireRunResult {
  changeId: string | null;
  /** Addresses actually taken out of WAF. */
  removed: number;
  sets: ExpiredSet[];
  /** Sets that could not be read or written; retried by the next run. */
  failed: number;
  /** Blocks still running here, and when the next one ends. */
  upcoming: number;
  nextExpiry: string | null;
  /** WAF was changed but the history could not (fully) record it. */
  storeProblems: string[];
}

/** REGIONAL sets in the function's region; the CLOUDFRONT ones (us-east-1) when configured. */
export function expireLocations(settings: Pick<ExpireSettings, 'AWS_REGION' | 'WAFTUNE_EXPIRE_CLOUDFRONT'>) {
  const locations: WafLocation[] = [locationFor('REGIONAL', settings.AWS_REGION)];
  if (settings.WAFTUNE_EXPIRE_CLOUDFRONT === 'true')
    locations.push(locationFor('CLOUDFRONT', settings.AWS_REGION));
  return locations;
}

export async function expireOnce(
  deps: { port: WafPort; store: AuditStore },
  options: {
    now: () => Date;
    locations: readonly WafLocation[];
    actor: Actor;
    retry?: RetryPolicy;
    /** Several accounts (functions/expire/targets.ts): only their sets, and those it cannot reach. */
    accounts?: readonly string[];
    unavailable?: ReadonlyMap<string, string>;
  },
): Promise<ExpireRunResult> {
  const plan = await planExpiry(deps.port, deps.store, options.now(), {
    locations: options.locations,
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.unavailable ? { unavailable: options.unavailable } : {}),
  });
  const base = {
    upcoming: plan.upcoming.length,
    nextExpiry: plan.upcoming[0]?.expiresAt ?? null,
  };
  const acted = plan.sets.filter((s) => s.status !== 'nothing');
  const described = (s: (typeof acted)[number]) => ({
    name: s.name,
    account: accountOfItem(s) ?? null,
    scope: s.location.scope,
    region: s.location.region,
    addresses: s.expired.map((i) => i.address),
  });
  if (!acted.some((s) => s.status === 'remove')) {
    const sets = acted.map(
      (s): ExpiredSet => ({ ...described(s), status: 'failed', reason: s.reason ?? null }),
    );
    return { changeId: null, removed: 0, sets, failed: sets.length, storeProblems: [], ...base };
  }
  const { record, storeProblems } = await executeExpiry(deps.port, deps.store, plan, {
    actor: options.actor,
    now: options.now,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  // executeExpiry records one entry per set it acted on, in plan order.
  let removed = 0;
  const sets = acted.map((s, i): ExpiredSet => {
    const entry = record.entries[i];
    if (entry?.status === 'applied') {
      const count = (ipSetState(entry.before)?.length ?? 0) - (ipSetState(entry.after)?.length ?? 0);
      removed += count;
      return { ...described(s), status: 'removed', reason: null };
    }
    if (entry?.status === 'unchanged')
      return { ...described(s), status: 'unchanged', reason: entry.reason ?? null };
    return { ...described(s), status: 'failed', reason: entry?.reason ?? s.reason ?? null };
  });
  return {
    changeId: record.header.id,
    removed,
    sets,
    failed: sets.filter((s) => s.status === 'failed').length,
    storeProblems,
    ...base,
  };
}
