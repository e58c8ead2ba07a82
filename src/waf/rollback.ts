import { withRules } from './apply.js';
import {
  type Actor,
  type AuditStore,
  type ChangeEntry,
  type ChangeRecord,
  ipSetState,
  loggingState,
  newChangeId,
  webAclState,
} from './audit.js';
import { ChangeRun, type NewEntry, type RunResult } from './change-run.js';
import { diffRules, type RuleDiff, sameRules } from './diff.js';
import { addressKey, missingAddresses, withoutAddresses } from './ip-block.js';
import { sameConfiguration } from './logging-config.js';
import { errorMessage, isWafError, type WafPort } from './port.js';
import { DEFAULT_RETRY, type RetryPolicy, withLockRetry } from './retry.js';
import type { IpSetRef, LoggingConfiguration, Rule, WebAcl, WebAclRef } from './types.js';

/**
 * `waftune rollback <change-id>`: puts back the exact rules (and IP set addresses) a change
 * replaced, but only where nothing changed since: if the current state is not what the change
 * left, rolling back would throw away someone's later edit, so it is refused and explained.
 */

export type RollbackAction = 'restore' | 'delete' | 'already' | 'conflict' | 'failed';

export interface AddressDiff {
  add: string[];
  remove: string[];
}

export interface RollbackItem {
  entry: ChangeEntry;
  action: RollbackAction;
  reason?: string;
  /** What the rollback changes: current rules -> the rules before the change. */
  diff: RuleDiff[];
  addressDiff?: AddressDiff;
  /** For a conflict: what changed since the change (its result -> now). */
  since?: { diff: RuleDiff[]; addressDiff?: AddressDiff; laterChanges: string[] };
}

export interface RollbackPlan {
  record: ChangeRecord;
  items: RollbackItem[];
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const ka = new Set(a.map(addressKey));
  const kb = new Set(b.map(addressKey));
  return ka.size === kb.size && [...ka].every((k) => kb.has(k));
}

function addressDiff(from: readonly string[], to: readonly string[]): AddressDiff {
  return { add: missingAddresses(from, to), remove: withoutAddresses(from, to) };
}

function targetRef(entry: ChangeEntry): WebAclRef & IpSetRef {
  const t = entry.target;
  return {
    name: t.name,
    id: t.id,
    arn: t.arn,
    scope: t.scope,
    region: t.region,
    ...(t.account ? { account: t.account } : {}),
    ...(t.accountName ? { accountName: t.accountName } : {}),
  };
}

const aclRef = targetRef;
const ipSetRef = targetRef;

/** Later changes that wrote the same target: the likely reason for a conflict. */
function laterChanges(all: readonly ChangeRecord[], record: ChangeRecord, entry: ChangeEntry): string[] {
  return all
    .filter((r) => r.header.createdAt > record.header.createdAt && r.header.id !== record.header.id)
    .filter((r) => r.entries.some((e) => e.status === 'applied' && e.target.arn === entry.target.arn))
    .map((r) => r.header.id);
}

/** Rollback order: web ACLs first (they reference the IP sets), then logging, newest entry first. */
function rollbackOrder(record: ChangeRecord, accounts?: readonly string[]): ChangeEntry[] {
  const applied = record.entries
    .filter((e) => e.status === 'applied')
    .filter((e) => !accounts || (e.target.account !== undefined && accounts.includes(e.target.account)))
    .sort((a, b) => b.seq - a.seq);
  return [
    ...applied.filter((e) => e.target.type === 'web-acl'),
    ...applied.filter((e) => e.target.type === 'logging'),
    ...applied.filter((e) => e.target.type === 'ip-set'),
  ];
}

type LoggingCheck =
  | { action: 'restore'; config: LoggingConfiguration }
  | { action: 'delete' }
  | { action: 'already' }
  | { action: 'conflict'; current: LoggingConfiguration | undefined };

/** A logging configuration goes back only if it is still what the change put there. */
async function checkLogging(port: WafPort, entry: ChangeEntry): Promise<LoggingCheck> {
  const before = loggingState(entry.before ?? null);
  const after = loggingState(entry.after ?? null);
  const current = await port.getLoggingConfiguration(aclRef(entry));
  if (current && after && sameConfiguration(current, after))
    return before ? { action: 'restore', config: before } : { action: 'delete' };
  if (!current && !before) return { action: 'already' };
  if (current && before && sameConfiguration(current, before)) return { action: 'already' };
  return { action: 'conflict', current };
}

function describeLogging(c: LoggingConfiguration | undefined): string {
  if (!c) return 'logging off';
  return `logging to ${c.LogDestinationConfigs.join(', ')}`;
}

type Check =
  | { action: 'restore'; rules: Rule[]; acl: WebAcl; lockToken: string; diff: RuleDiff[] }
  | { action: 'already'; diff: RuleDiff[] }
  | { action: 'conflict'; diff: RuleDiff[]; since: RuleDiff[] };

function checkAcl(entry: ChangeEntry, acl: WebAcl, lockToken: string): Check {
  const before = webAclState(entry.before)?.Rules ?? [];
  const after = webAclState(entry.after)?.Rules ?? [];
  const current = acl.Rules ?? [];
  if (sameRules(current, after))
    return { action: 'restore', rules: before, acl, lockToken, diff: diffRules(current, before) };
  if (sameRules(current, before)) return { action: 'already', diff: [] };
  return { action: 'conflict', diff: diffRules(current, before), since: diffRules(after, current) };
}

type IpCheck =
  | { action: 'restore'; addresses: string[]; current: string[]; lockToken: string; ref: IpSetRef }
  | { action: 'delete'; current: string[]; lockToken: string; ref: IpSetRef }
  | { action: 'already' }
  | { action: 'conflict'; current: string[] };

async function checkIpSet(port: WafPort, entry: ChangeEntry): Promise<IpCheck> {
  const before = entry.before === null ? null : (ipSetState(entry.before) ?? []);
  const after = ipSetState(entry.after) ?? [];
  let got: Awaited<ReturnType<WafPort['getIpSet']>>;
  try {
    got = await port.getIpSet(ipSetRef(entry));
  } catch (error) {
    if (before === null && isWafError(error, 'not-found')) return { action: 'already' };
    throw error;
  }
  const current = got.ipSet.Addresses;
  const ref = ipSetRef(entry);
  if (sameAddresses(current, after)) {
    return before === null
      ? { action: 'delete', current, lockToken: got.lockToken, ref }
      : { action: 'restore', addresses: before, current, lockToken: got.lockToken, ref };
  }
  if (before !== null && sameAddresses(current, before)) return { action: 'already' };
  return { action: 'conflict', current };
}

function conflictReason(kind: string, later: string[]): string {
  const by = later.length
    ? ` (by waftune change ${later.join(', ')}; roll that back first)`
    : ' (outside waftune)';
  return `the ${kind} changed since this change${by}; rolling back would undo that edit`;
}

export interface PlanRollbackOptions {
  /** Fleet runs: only the targets in these accounts (`rollback --account`). */
  accounts?: readonly string[];
}

export async function planRollback(
  port: WafPort,
  store: AuditStore,
  record: ChangeRecord,
  options: PlanRollbackOptions = {},
): Promise<RollbackPlan> {
  const all = await store.list();
  const items: RollbackItem[] = [];
  for (const entry of rollbackOrder(record, options.accounts)) {
    const later = laterChanges(all, record, entry);
    try {
      if (entry.target.type === 'web-acl') {
        const { acl, lockToken } = await port.getWebAcl(aclRef(entry));
        const check = checkAcl(entry, acl, lockToken);
        if (check.action === 'conflict') {
          items.push({
            entry,
            action: 'conflict',
            reason: conflictReason('web ACL', later),
            diff: check.diff,
            since: { diff: check.since, laterChanges: later },
          });
        } else {
          items.push({
            entry,
            action: check.action,
            diff: check.diff,
            ...(check.action === 'already' ? { reason: 'already as before the change' } : {}),
          });
        }
        continue;
      }
      if (entry.target.type === 'logging') {
        const check = await checkLogging(port, entry);
        const before = loggingState(entry.before ?? null);
        if (check.action === 'restore' || check.action === 'delete')
          items.push({
            entry,
            action: check.action === 'restore' ? 'restore' : 'delete',
            diff: [],
            reason:
              check.action === 'restore' ? `back to ${describeLogging(before)}` : 'logging was off before',
          });
        else if (check.action === 'already')
          items.push({ entry, action: 'already', diff: [], reason: 'already as before the change' });
        else
          items.push({
            entry,
            action: 'conflict',
            reason: `${conflictReason('logging configuration', later)} (now: ${describeLogging(check.current)})`,
            diff: [],
            since: { diff: [], laterChanges: later },
          });
        continue;
      }
      const check = await checkIpSet(port, entry);
      const after = ipSetState(entry.after) ?? [];
      if (check.action === 'restore')
        items.push({
          entry,
          action: 'restore',
          diff: [],
          addressDiff: addressDiff(check.current, check.addresses),
        });
      else if (check.action === 'delete')
        items.push({
          entry,
          action: 'delete',
          diff: [],
          addressDiff: addressDiff(check.current, []),
          reason: 'the change created it',
        });
      else if (check.action === 'already')
        items.push({ entry, action: 'already', diff: [], reason: 'already as before the change' });
      else {
        items.push({
          entry,
          action: 'conflict',
          reason: conflictReason('IP set', later),
          diff: [],
          since: { diff: [], addressDiff: addressDiff(after, check.current), laterChanges: later },
        });
      }
    } catch (error) {
      items.push({ entry, action: 'failed', reason: errorMessage(error), diff: [] });
    }
  }
  return { record, items };
}

export interface RollbackOptions {
  actor: Actor;
  now: () => Date;
  retry?: RetryPolicy;
  command?: string[];
  onEntry?: (entry: ChangeEntry) => void;
  /** Stop before the next target once aborted (Ctrl-C): the one being written finishes and is recorded. */
  signal?: AbortSignal;
}

async function rollbackAcl(
  port: WafPort,
  entry: ChangeEntry,
  retry: RetryPolicy,
  later: string[],
): Promise<NewEntry> {
  const target = entry.target;
  const suggestionIds = entry.suggestionIds;
  try {
    const { value, attempts } = await withLockRetry(retry, async (): Promise<NewEntry> => {
      const { acl, lockToken } = await port.getWebAcl(aclRef(entry));
      const check = checkAcl(entry, acl, lockToken);
      if (check.action === 'already')
        return { target, status: 'unchanged', reason: 'already as before the change', suggestionIds };
      if (check.action === 'conflict')
        return { target, status: 'refused', reason: conflictReason('web ACL', later), suggestionIds };
      const after = withRules(acl, check.rules);
      const lockTokenAfter = await port.updateWebAcl(aclRef(entry), after, lockToken);
      return { target, status: 'applied', suggestionIds, before: acl, after, lockTokenAfter };
    });
    return { ...value, attempts };
  } catch (error) {
    return { target, status: 'failed', reason: errorMessage(error), suggestionIds };
  }
}

async function rollbackLogging(port: WafPort, entry: ChangeEntry, later: string[]): Promise<NewEntry> {
  const target = entry.target;
  const suggestionIds = entry.suggestionIds;
  try {
    const check = await checkLogging(port, entry);
    if (check.action === 'already')
      return { target, status: 'unchanged', reason: 'already as before the change', suggestionIds };
    if (check.action === 'conflict')
      return {
        target,
        status: 'refused',
        reason: conflictReason('logging configuration', later),
        suggestionIds,
      };
    const current = loggingState(entry.after ?? null) ?? null;
    if (check.action === 'delete') {
      await port.deleteLoggingConfiguration(aclRef(entry));
      return {
        target,
        status: 'applied',
        reason: 'logging turned off again',
        suggestionIds,
        before: current,
        after: null,
      };
    }
    await port.putLoggingConfiguration(aclRef(entry), check.config);
    return { target, status: 'applied', suggestionIds, before: current, after: check.config };
  } catch (error) {
    return { target, status: 'failed', reason: errorMessage(error), suggestionIds };
  }
}

async function rollbackIpSet(
  port: WafPort,
  entry: ChangeEntry,
  retry: RetryPolicy,
  later: string[],
): Promise<NewEntry> {
  const target = entry.target;
  const suggestionIds = entry.suggestionIds;
  try {
    const { value, attempts } = await withLockRetry(retry, async (): Promise<NewEntry> => {
      const check = await checkIpSet(port, entry);
      if (check.action === 'already')
        return { target, status: 'unchanged', reason: 'already as before the change', suggestionIds };
      if (check.action === 'conflict')
        return { target, status: 'refused', reason: conflictReason('IP set', later), suggestionIds };
      if (check.action === 'restore') {
        const lockTokenAfter = await port.updateIpSet(check.ref, check.addresses, check.lockToken);
        return {
          target,
          status: 'applied',
          suggestionIds,
          before: { addresses: check.current },
          after: { addresses: check.addresses },
          lockTokenAfter,
        };
      }
      try {
        await port.deleteIpSet(check.ref, check.lockToken);
        return {
          target,
          status: 'applied',
          reason: 'deleted',
          suggestionIds,
          before: { addresses: check.current },
          after: null,
        };
      } catch (error) {
        if (!isWafError(error, 'associated')) throw error;
        // Still referenced (a web ACL that could not be rolled back, or a later change): empty it instead.
        const lockTokenAfter = await port.updateIpSet(check.ref, [], check.lockToken);
        return {
          target,
          status: 'applied',
          reason: 'emptied, not deleted: web ACL rules still reference it',
          suggestionIds,
          before: { addresses: check.current },
          after: { addresses: [] },
          lockTokenAfter,
        };
      }
    });
    return { ...value, attempts };
  } catch (error) {
    return { target, status: 'failed', reason: errorMessage(error), suggestionIds };
  }
}

export async function executeRollback(
  port: WafPort,
  store: AuditStore,
  plan: RollbackPlan,
  options: RollbackOptions,
): Promise<RunResult> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const createdAt = options.now();
  const { record } = plan;
  const run = await ChangeRun.start(
    store,
    {
      version: 1,
      id: newChangeId(createdAt),
      kind: 'rollback',
      createdAt: createdAt.toISOString(),
      actor: options.actor,
      ...(options.command ? { command: options.command } : {}),
      suggestions: record.header.suggestions,
      targets: plan.items.filter((i) => i.entry.target.type === 'web-acl').map((i) => i.entry.target.arn),
      rollbackOf: record.header.id,
    },
    options.now,
    options.onEntry,
  );
  for (const item of plan.items) {
    if (options.signal?.aborted) break;
    const later = item.since?.laterChanges ?? [];
    const entry = item.entry;
    await run.add(
      entry.target.type === 'web-acl'
        ? await rollbackAcl(port, entry, retry, later)
        : entry.target.type === 'logging'
          ? await rollbackLogging(port, entry, later)
          : await rollbackIpSet(port, entry, retry, later),
    );
  }
  return run.finish();
}
