import { aclContext, aclMutations, type IpSetTargets } from './acl-mutations.js';
import {
  type Actor,
  type AuditStore,
  type ChangeEntry,
  type ChangeHeader,
  type ChangeRecord,
  type ChangeTarget,
  type IpBlockRecord,
  newChangeId,
} from './audit.js';
import { ChangeRun, type NewEntry, type RunResult } from './change-run.js';
import { mapLimit } from './concurrency.js';
import { sameRules } from './diff.js';
import { IP_SET_MAX_ADDRESSES, missingAddresses } from './ip-block.js';
import { findIpSet } from './ip-sets.js';
import { applyMutations } from './mutation.js';
import { IP_SET_DESCRIPTION, ipSetName } from './names.js';
import { aclStatus, capacityRefusal, firstReason, tooMany, versionsOf, WEB_ACL_MAX_WCU } from './plan.js';
import { errorMessage, isWafError, WafApiError, type WafPort } from './port.js';
import { DEFAULT_RETRY, type RetryPolicy, withLockRetry } from './retry.js';
import type { IpSetRef, IpVersion, WafLocation, WebAcl, WebAclRef } from './types.js';
import type { AclWork, IpBlockItem, Work } from './work.js';

/**
 * `waftune apply`: for each target, read it, apply the suggestions to what was read, write it back
 * with the read's LockToken; when someone else wrote first, start over from a fresh read. A
 * target that fails does not stop the others; each gets its own entry in the change record.
 */

export interface ApplyOptions {
  actor: Actor;
  now: () => Date;
  retry?: RetryPolicy;
  concurrency?: number;
  maxWcu?: number;
  command?: string[];
  /** The change this run resumes (`apply --resume`). */
  resumes?: string;
  /** Fleet runs: the accounts covered and those unreachable. */
  accounts?: ChangeHeader['accounts'];
  onEntry?: (entry: ChangeEntry) => void;
  /** Stop starting targets once aborted (Ctrl-C): what is being written finishes and is recorded; `apply --resume` does the rest. */
  signal?: AbortSignal;
}

/** The web ACLs an apply meant to change and did not (to resume it): failed, refused, or never reached. */
export function unfinishedTargets(record: ChangeRecord): string[] {
  const done = new Set(
    record.entries
      .filter((e) => e.target.type === 'web-acl' && (e.status === 'applied' || e.status === 'unchanged'))
      .map((e) => e.target.arn),
  );
  return record.header.targets.filter((arn) => !done.has(arn));
}

function accountOf(place: WafLocation): Pick<ChangeTarget, 'account' | 'accountName'> {
  return {
    ...(place.account ? { account: place.account } : {}),
    ...(place.accountName ? { accountName: place.accountName } : {}),
  };
}

export function webAclTarget(ref: WebAclRef): ChangeTarget {
  return {
    type: 'web-acl',
    name: ref.name,
    id: ref.id,
    arn: ref.arn,
    scope: ref.scope,
    region: ref.region,
    ...accountOf(ref),
  };
}

export function ipSetTarget(location: WafLocation, version: IpVersion, ref?: IpSetRef): ChangeTarget {
  return {
    type: 'ip-set',
    name: ipSetName(version),
    id: ref?.id ?? '',
    arn: ref?.arn ?? '',
    scope: location.scope,
    region: location.region,
    ...accountOf(location),
    version,
  };
}

/** The WebACL as stored after an update: what was read, with the new rules and no read-only figures. */
export function withRules(acl: WebAcl, rules: WebAcl['Rules']): WebAcl {
  const { Capacity: _capacity, ...rest } = acl;
  return { ...rest, Rules: rules ?? [] };
}

function records(items: readonly IpBlockItem[], present: (cidr: string) => boolean): IpBlockRecord[] {
  return items.map((i) => ({
    address: i.cidr,
    expiresAt: i.expiresAt,
    suggestionId: i.suggestionId,
    ...(present(i.cidr) ? { alreadyPresent: true } : {}),
  }));
}

async function applyIpSet(
  port: WafPort,
  location: WafLocation,
  version: IpVersion,
  items: IpBlockItem[],
  retry: RetryPolicy,
): Promise<NewEntry & { ref?: IpSetRef }> {
  const name = ipSetName(version);
  const suggestionIds = [...new Set(items.map((i) => i.suggestionId))];
  try {
    const { value, attempts } = await withLockRetry(
      retry,
      async (): Promise<NewEntry & { ref?: IpSetRef }> => {
        const ref = await findIpSet(port, location, name);
        if (!ref) {
          if (items.length > IP_SET_MAX_ADDRESSES) {
            return {
              target: ipSetTarget(location, version),
              status: 'refused',
              reason: tooMany(name, items.length),
              suggestionIds,
            };
          }
          const addresses = items.map((i) => i.cidr);
          let created: IpSetRef;
          try {
            created = await port.createIpSet(location, {
              name,
              version,
              addresses,
              description: IP_SET_DESCRIPTION,
            });
          } catch (error) {
            // Another run created it between our list and create: read it and add to it instead.
            if (isWafError(error, 'duplicate'))
              throw new WafApiError('lock', 'WAFDuplicateItemException', errorMessage(error));
            throw error;
          }
          return {
            target: ipSetTarget(location, version, created),
            ref: created,
            status: 'applied',
            reason: 'created',
            suggestionIds,
            before: null,
            after: { addresses },
            ipBlocks: records(items, () => false),
          };
        }
        const { ipSet, lockToken } = await port.getIpSet(ref);
        const missing = missingAddresses(
          ipSet.Addresses,
          items.map((i) => i.cidr),
        );
        const ipBlocks = records(items, (cidr) => !missing.includes(cidr));
        const target = ipSetTarget(location, version, ref);
        if (!missing.length) {
          return {
            target,
            ref,
            status: 'unchanged',
            reason: 'every address is already in the set',
            suggestionIds,
            ipBlocks,
          };
        }
        const addresses = [...ipSet.Addresses, ...missing];
        if (addresses.length > IP_SET_MAX_ADDRESSES) {
          return { target, ref, status: 'refused', reason: tooMany(name, addresses.length), suggestionIds };
        }
        const lockTokenAfter = await port.updateIpSet(ref, addresses, lockToken, ipSet.Description);
        return {
          target,
          ref,
          status: 'applied',
          suggestionIds,
          before: { addresses: ipSet.Addresses },
          after: { addresses },
          lockTokenAfter,
          ipBlocks,
        };
      },
    );
    return { ...value, attempts };
  } catch (error) {
    return {
      target: ipSetTarget(location, version),
      status: 'failed',
      reason: errorMessage(error),
      suggestionIds,
    };
  }
}

async function applyAcl(
  port: WafPort,
  work: AclWork,
  ipSets: IpSetTargets,
  ipSuggestionIds: string[],
  retry: RetryPolicy,
  maxWcu: number,
): Promise<NewEntry> {
  const target = webAclTarget(work.ref);
  const suggestionIds = [
    ...work.overrides.map((o) => o.id),
    ...(work.ipVersions.length ? ipSuggestionIds : []),
  ];
  const mutations = aclMutations(work, ipSets);
  try {
    const { value, attempts } = await withLockRetry(retry, async (): Promise<NewEntry> => {
      const { acl, lockToken } = await port.getWebAcl(work.ref);
      const before = acl.Rules ?? [];
      const { rules, outcomes } = applyMutations(before, mutations, aclContext(acl));
      const status = aclStatus(outcomes);
      if (status !== 'change' || sameRules(before, rules)) {
        return {
          target,
          status: status === 'refused' ? 'refused' : 'unchanged',
          reason: firstReason(outcomes),
          suggestionIds,
          outcomes,
        };
      }
      const wcuAfter = await port.checkCapacity(work.ref, rules);
      if (wcuAfter > maxWcu) {
        return {
          target,
          status: 'refused',
          reason: capacityRefusal(wcuAfter, maxWcu),
          suggestionIds,
          outcomes,
          wcuAfter,
        };
      }
      const after = withRules(acl, rules);
      const lockTokenAfter = await port.updateWebAcl(work.ref, after, lockToken);
      return {
        target,
        status: 'applied',
        suggestionIds,
        outcomes,
        before: acl,
        after,
        lockTokenAfter,
        ...(acl.Capacity !== undefined ? { wcuBefore: acl.Capacity } : {}),
        wcuAfter,
        reason: outcomes.some((o) => o.status === 'refused') ? firstReason(outcomes) : undefined,
      };
    });
    return { ...value, attempts };
  } catch (error) {
    return { target, status: 'failed', reason: errorMessage(error), suggestionIds };
  }
}

export async function applyWork(
  port: WafPort,
  store: AuditStore,
  work: Work,
  options: ApplyOptions,
): Promise<RunResult> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxWcu = options.maxWcu ?? WEB_ACL_MAX_WCU;
  const createdAt = options.now();
  const run = await ChangeRun.start(
    store,
    {
      version: 1,
      id: newChangeId(createdAt),
      kind: 'apply',
      createdAt: createdAt.toISOString(),
      actor: options.actor,
      ...(options.command ? { command: options.command } : {}),
      suggestions: work.suggestions,
      targets: work.locations.flatMap((l) => l.acls.map((a) => a.ref.arn)),
      ...(options.resumes ? { resumes: options.resumes } : {}),
      ...(options.accounts ? { accounts: options.accounts } : {}),
    },
    options.now,
    options.onEntry,
  );
  for (const loc of work.locations) {
    if (options.signal?.aborted) break;
    // The IP sets first: the block rules reference them by ARN.
    const targets: IpSetTargets = new Map();
    for (const version of versionsOf(loc.ipBlocks)) {
      const items = loc.ipBlocks.filter((i) => i.version === version);
      const { ref, ...entry } = await applyIpSet(port, loc.location, version, items, retry);
      await run.add(entry);
      if (ref && entry.status !== 'refused') targets.set(version, { arn: ref.arn });
      else targets.set(version, { refused: `${ipSetName(version)}: ${entry.reason ?? entry.status}` });
    }
    const ipSuggestionIds = [...new Set(loc.ipBlocks.map((i) => i.suggestionId))];
    await mapLimit(loc.acls, options.concurrency ?? 4, async (acl) => {
      if (options.signal?.aborted) return;
      await run.add(await applyAcl(port, acl, targets, ipSuggestionIds, retry, maxWcu));
    });
  }
  return run.finish();
}
