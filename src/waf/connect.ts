import { webAclTarget, withRules } from './apply.js';
import { type Actor, type AuditStore, type ChangeEntry, type ChangeTarget, newChangeId } from './audit.js';
import { ChangeRun, type NewEntry, type RunResult } from './change-run.js';
import { diffRules, type RuleDiff } from './diff.js';
import { ensureEvidenceRules } from './evidence-labels.js';
import { type ConnectStep, type LoggingOptions, planConnect, sameConfiguration } from './logging-config.js';
import { capacityRefusal, WEB_ACL_MAX_WCU } from './plan.js';
import { errorMessage, type WafPort } from './port.js';
import { DEFAULT_RETRY, type RetryPolicy, withLockRetry } from './retry.js';
import type { WafLocation, WebAclRef } from './types.js';

/**
 * `waftune connect`: sends each web ACL's logs to the waftune stream, and puts waftune's evidence
 * rule at the top of it (src/waf/evidence-labels.ts) so the logs keep what the filter would drop.
 * Both are changes like any other: the web ACL is written with the LockToken of the read (a
 * concurrent edit is redone on, never overwritten), and every write is recorded in the change
 * history, so `waftune rollback <change>` takes the rule out and puts the old logging back.
 */

export type EvidenceAction = 'add' | 'in-place' | 'refused' | 'not-logging' | 'off' | 'failed';

export interface EvidencePlan {
  action: EvidenceAction;
  reason?: string;
  diff: RuleDiff[];
  wcuBefore?: number;
  wcuAfter?: number;
}

export interface ConnectAclPlan extends ConnectStep {
  ref: WebAclRef;
  evidence: EvidencePlan;
}

export interface ConnectPlan {
  location: WafLocation;
  steps: ConnectAclPlan[];
  /** Names asked for with --acl that no web ACL has. */
  missing: string[];
}

export interface ConnectInput {
  location: WafLocation;
  streamArn: string;
  options: LoggingOptions;
  /** Replace a logging configuration that sends the logs somewhere else. */
  replace: boolean;
  /** Put the evidence rule in the web ACLs (on by default). */
  evidence: boolean;
  names?: readonly string[];
  maxWcu?: number;
}

async function planEvidence(
  port: WafPort,
  ref: WebAclRef,
  step: ConnectStep,
  input: ConnectInput,
): Promise<EvidencePlan> {
  if (!input.evidence) return { action: 'off', diff: [] };
  if (step.action === 'skip')
    return { action: 'not-logging', reason: 'its logs do not come to the stream', diff: [] };
  try {
    const { acl } = await port.getWebAcl(ref);
    const before = acl.Rules ?? [];
    const result = ensureEvidenceRules(before);
    if (result.status !== 'changed')
      return { action: 'in-place', reason: 'the evidence rules are in place', diff: [] };
    const [wcuBefore, wcuAfter] = await Promise.all([
      port.checkCapacity(ref, before),
      port.checkCapacity(ref, result.rules),
    ]);
    const diff = diffRules(before, result.rules);
    const maxWcu = input.maxWcu ?? WEB_ACL_MAX_WCU;
    if (wcuAfter > maxWcu)
      return { action: 'refused', reason: capacityRefusal(wcuAfter, maxWcu), diff, wcuBefore, wcuAfter };
    return { action: 'add', diff, wcuBefore, wcuAfter };
  } catch (error) {
    return { action: 'failed', reason: errorMessage(error), diff: [] };
  }
}

/** Reads every web ACL of the location (its rules and logging) and says what connect would change. Reads only. */
export async function planConnectRun(port: WafPort, input: ConnectInput): Promise<ConnectPlan> {
  const all = await port.listWebAcls(input.location);
  const wanted = input.names?.length ? new Set(input.names) : undefined;
  const refs = wanted ? all.filter((a) => wanted.has(a.name) || wanted.has(a.arn)) : all;
  const missing = wanted ? [...wanted].filter((n) => !all.some((a) => a.name === n || a.arn === n)) : [];
  const withCurrent = [];
  for (const ref of refs) {
    const current = await port.getLoggingConfiguration(ref);
    withCurrent.push({ name: ref.name, arn: ref.arn, ...(current ? { current } : {}) });
  }
  const logging = planConnect({
    acls: withCurrent,
    scope: input.location.scope,
    streamArn: input.streamArn,
    options: input.options,
    replace: input.replace,
  });
  const steps: ConnectAclPlan[] = [];
  for (const [i, step] of logging.entries()) {
    const ref = refs[i] as WebAclRef;
    steps.push({ ...step, ref, evidence: await planEvidence(port, ref, step, input) });
  }
  return { location: input.location, steps, missing };
}

export function loggingTarget(ref: WebAclRef): ChangeTarget {
  return { ...webAclTarget(ref), type: 'logging' };
}

export interface ConnectOptions {
  actor: Actor;
  now: () => Date;
  retry?: RetryPolicy;
  maxWcu?: number;
  command?: string[];
  /** WAF takes about one write a second per account. */
  sleep?: (ms: number) => Promise<void>;
  writeIntervalMs?: number;
  onEntry?: (entry: ChangeEntry) => void;
}

async function writeEvidence(
  port: WafPort,
  ref: WebAclRef,
  retry: RetryPolicy,
  maxWcu: number,
): Promise<NewEntry> {
  const target = webAclTarget(ref);
  try {
    const { value, attempts } = await withLockRetry(retry, async (): Promise<NewEntry> => {
      const { acl, lockToken } = await port.getWebAcl(ref);
      const result = ensureEvidenceRules(acl.Rules ?? []);
      if (result.status !== 'changed')
        return { target, status: 'unchanged', reason: 'the evidence rules are in place', suggestionIds: [] };
      const wcuAfter = await port.checkCapacity(ref, result.rules);
      if (wcuAfter > maxWcu)
        return {
          target,
          status: 'refused',
          reason: capacityRefusal(wcuAfter, maxWcu),
          suggestionIds: [],
          wcuAfter,
        };
      const after = withRules(acl, result.rules);
      const lockTokenAfter = await port.updateWebAcl(ref, after, lockToken);
      return {
        target,
        status: 'applied',
        reason: 'evidence rules added',
        suggestionIds: [],
        before: acl,
        after,
        lockTokenAfter,
        ...(acl.Capacity !== undefined ? { wcuBefore: acl.Capacity } : {}),
        wcuAfter,
      };
    });
    return { ...value, attempts };
  } catch (error) {
    return { target, status: 'failed', reason: errorMessage(error), suggestionIds: [] };
  }
}

async function writeLogging(port: WafPort, step: ConnectAclPlan): Promise<NewEntry> {
  const target = loggingTarget(step.ref);
  try {
    // Read again right before the write, so the record holds what the write replaced. The API has
    // no LockToken for logging: a configuration someone changed since the plan is left alone.
    const current = await port.getLoggingConfiguration(step.ref);
    if (!step.request) return { target, status: 'unchanged', reason: step.reason, suggestionIds: [] };
    const planned = step.current;
    const same = current && planned ? sameConfiguration(current, planned) : !current && !planned;
    if (!same)
      return {
        target,
        status: 'refused',
        reason: 'the logging configuration changed since it was read; run connect again',
        suggestionIds: [],
      };
    await port.putLoggingConfiguration(step.ref, step.request);
    return {
      target,
      status: 'applied',
      reason: step.action === 'enable' ? 'logging enabled' : `logging updated: ${step.reason}`,
      suggestionIds: [],
      before: current ?? null,
      after: step.request,
    };
  } catch (error) {
    return { target, status: 'failed', reason: errorMessage(error), suggestionIds: [] };
  }
}

/** Does what the plan says, one write at a time, each recorded as it is done. */
export async function executeConnect(
  port: WafPort,
  store: AuditStore,
  plan: ConnectPlan,
  options: ConnectOptions,
): Promise<RunResult> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const createdAt = options.now();
  const todo = plan.steps.filter((s) => s.request || s.evidence.action === 'add');
  const run = await ChangeRun.start(
    store,
    {
      version: 1,
      id: newChangeId(createdAt),
      kind: 'connect',
      createdAt: createdAt.toISOString(),
      actor: options.actor,
      ...(options.command ? { command: options.command } : {}),
      suggestions: [],
      targets: todo.map((s) => s.ref.arn),
    },
    options.now,
    options.onEntry,
  );
  let writes = 0;
  const pace = async () => {
    if (writes++ > 0) await sleep(options.writeIntervalMs ?? 1_000);
  };
  for (const step of todo) {
    // The rule first: the filter keeps what its label marks, so it should be there when logs flow.
    if (step.evidence.action === 'add') {
      await pace();
      await run.add(await writeEvidence(port, step.ref, retry, options.maxWcu ?? WEB_ACL_MAX_WCU));
    }
    if (step.request) {
      await pace();
      await run.add(await writeLogging(port, step));
    }
  }
  return run.finish();
}
