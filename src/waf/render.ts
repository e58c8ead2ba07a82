import type { RunSummary } from '../../schemas/change.js';
import type { ExpiryPlanJson } from '../../schemas/expire.js';
import type { PlanOutput } from '../../schemas/plan.js';
import type { RollbackPlanJson } from '../../schemas/rollback.js';
import { terminalSafe } from '../text/terminal.js';
import { accountLabel } from './accounts.js';
import { type ChangeEntry, type ChangeRecord, countEntries } from './audit.js';
import type { DiffLine, RuleDiff } from './diff.js';
import type { ExpiryPlan } from './expire.js';
import { type PolicyChangeSummary, summarizePolicyChanges } from './firewall-manager.js';
import { describeForwarded } from './forwarded-ip.js';
import { type Plan, WEB_ACL_BASE_WCU } from './plan.js';
import type { RollbackPlan } from './rollback.js';
import type { WafLocation } from './types.js';
import type { SkippedItem } from './work.js';

/**
 * Plain-text reports for people. Colour is the caller's choice (TTY and no NO_COLOR); names and
 * values that can come from a log go through `terminalSafe` (describe.ts already did that for
 * rule lines).
 */

export interface Style {
  add(text: string): string;
  remove(text: string): string;
  change(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const code = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
export const COLOR: Style = {
  add: code(32, 39),
  remove: code(31, 39),
  change: code(33, 39),
  dim: code(2, 22),
  bold: code(1, 22),
};
const same = (text: string) => text;
export const PLAIN: Style = { add: same, remove: same, change: same, dim: same, bold: same };

const s = terminalSafe;
const MAX_RULE_LINES = 14;
const MAX_ADDRESSES_SHOWN = 10;

export function where(location: WafLocation): string {
  const account = accountLabel(location);
  return `${location.scope} ${s(location.region)}${account ? `, account ${s(account)}` : ''}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function diffLine(line: DiffLine, style: Style, indent: string): string {
  const text = `${indent}${line.op} ${line.text}`;
  if (line.op === '+') return style.add(text);
  if (line.op === '-') return style.remove(text);
  return style.dim(text);
}

/** Changed lines with one line of context when a rule's description is long (a big rule group). */
function visibleLines(lines: DiffLine[]): (DiffLine | undefined)[] {
  if (lines.length <= MAX_RULE_LINES) return lines;
  const keep = new Set<number>([0]);
  lines.forEach((l, i) => {
    if (l.op !== ' ') for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < lines.length) keep.add(j);
  });
  const out: (DiffLine | undefined)[] = [];
  let last = -1;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (i > last + 1) out.push(undefined);
    out.push(lines[i]);
    last = i;
  }
  if (last < lines.length - 1) out.push(undefined);
  return out;
}

export function renderRuleDiff(diff: readonly RuleDiff[], style: Style, indent = '    '): string[] {
  const out: string[] = [];
  for (const d of diff) {
    const name = s(d.name);
    if (d.op === 'add') out.push(style.add(`${indent}+ rule ${name} (priority ${d.priorityAfter})`));
    else if (d.op === 'remove')
      out.push(style.remove(`${indent}- rule ${name} (priority ${d.priorityBefore})`));
    else {
      const moved =
        d.priorityBefore !== d.priorityAfter
          ? `priority ${d.priorityBefore} -> ${d.priorityAfter}`
          : `priority ${d.priorityAfter}`;
      const onlyMoved = d.lines.every((l) => l.op === ' ');
      out.push(style.change(`${indent}~ rule ${name} (${moved})`));
      if (onlyMoved) continue;
    }
    for (const line of visibleLines(d.lines))
      out.push(line ? diffLine(line, style, `${indent}    `) : style.dim(`${indent}      …`));
  }
  return out;
}

function renderSkipped(skipped: readonly SkippedItem[], problems: readonly string[], style: Style): string[] {
  const out: string[] = [];
  for (const p of problems) out.push(style.change(`warning: ${s(p)}`));
  for (const k of skipped)
    out.push(style.change(`skipped (suggestion ${s(k.suggestionId)}): ${s(k.reason)}`));
  return out;
}

export function renderPlan(plan: Plan, style: Style): string {
  const out: string[] = [];
  const acls = plan.acls.length;
  out.push(
    style.bold(
      `waftune plan: ${plural(plan.work.suggestions.length, 'suggestion')}, ${plural(acls, 'web ACL')}`,
    ),
  );
  out.push('');
  for (const set of plan.ipSets) {
    const head = `IP set ${s(set.name)} (${where(set.location)})`;
    if (set.status === 'create')
      out.push(style.add(`+ ${head}: create with ${plural(set.add.length, 'address', 'addresses')}`));
    else if (set.status === 'update') {
      out.push(
        style.change(
          `~ ${head}: add ${plural(set.add.length, 'address', 'addresses')} (${set.currentCount.toLocaleString('en-US')} -> ${(set.currentCount + set.add.length).toLocaleString('en-US')})`,
        ),
      );
    } else if (set.status === 'extend') {
      out.push(
        style.change(
          `~ ${head}: every address is already blocked; later expiry for ${plural(set.extend.length, 'address', 'addresses')}`,
        ),
      );
    } else if (set.status === 'unchanged') out.push(style.dim(`= ${head}: every address is already blocked`));
    else out.push(style.remove(`! ${head}: ${set.status}: ${s(set.reason)}`));
    if (set.status === 'extend') {
      for (const a of set.extend.slice(0, MAX_ADDRESSES_SHOWN))
        out.push(style.change(`    ~ ${s(a.cidr)}  until ${a.expiresAt.slice(0, 10)}`));
    }
    if (set.status === 'create' || set.status === 'update') {
      for (const a of set.add.slice(0, MAX_ADDRESSES_SHOWN)) {
        out.push(
          style.add(
            `    + ${s(a.cidr)}  until ${a.expiresAt.slice(0, 10)}  (suggestion ${s(a.suggestionId)})`,
          ),
        );
      }
      if (set.add.length > MAX_ADDRESSES_SHOWN)
        out.push(
          style.dim(
            `      … and ${plural(set.add.length - MAX_ADDRESSES_SHOWN, 'more address', 'more addresses')}`,
          ),
        );
    }
    out.push('');
  }
  for (const acl of plan.acls) {
    const head = `web ACL ${s(acl.ref.name)} (${where(acl.ref)})`;
    if (acl.status === 'change' || (acl.status === 'refused' && acl.diff.length)) {
      const delta = (acl.wcuAfter ?? 0) - (acl.wcuBefore ?? 0);
      const wcu =
        acl.wcuBefore !== undefined
          ? `  WCU ${acl.wcuBefore} -> ${acl.wcuAfter}${acl.wcuEstimated ? ' (estimated)' : ''} (${delta >= 0 ? '+' : ''}${delta})`
          : '';
      const mark = acl.status === 'change' ? style.change(`~ ${head}`) : style.remove(`! ${head}`);
      out.push(`${mark}${wcu}`);
      if (acl.forwardedIp.length) out.push(style.change(`    ${s(describeForwarded(acl.forwardedIp))}`));
      out.push(...renderRuleDiff(acl.diff, style));
      if (acl.status === 'refused') out.push(style.remove(`    refused: ${s(acl.reason)}`));
      else if ((acl.wcuAfter ?? 0) > WEB_ACL_BASE_WCU && (acl.wcuBefore ?? 0) <= WEB_ACL_BASE_WCU) {
        out.push(style.change(`    note: above ${WEB_ACL_BASE_WCU} WCU, AWS charges for the extra capacity`));
      }
      for (const o of acl.outcomes) {
        if (o.status === 'refused')
          out.push(style.change(`    not applied here (suggestion ${s(o.suggestionId)}): ${s(o.reason)}`));
      }
    } else if (acl.status === 'unchanged') {
      out.push(style.dim(`= ${head}: no changes${acl.reason ? ` (${s(acl.reason)})` : ''}`));
      if (acl.forwardedIp.length) out.push(style.dim(`    ${s(describeForwarded(acl.forwardedIp))}`));
    } else {
      out.push(style.remove(`! ${head}: ${acl.status}: ${s(acl.reason)}`));
    }
    for (const o of acl.outcomes) {
      const p = o.policyChange;
      if (!p) continue;
      out.push(
        style.change(
          `    Firewall Manager: ${s(p.ruleId)} is in the policy's rule group ${s(p.ruleGroupName)} (${p.stage === 'pre' ? 'run before' : 'run after'} this account's rules); count it in the policy${p.policy ? ` ${s(p.policy)}` : ''}, see below (suggestion ${s(o.suggestionId)})`,
        ),
      );
    }
    out.push('');
  }
  const counts = countPlan(plan);
  const setChanges = plan.ipSets.filter((x) => x.status === 'create' || x.status === 'update').length;
  const extended = plan.ipSets.filter((x) => x.status === 'extend').length;
  out.push(
    style.bold(
      `Plan: ${plural(counts.change, 'web ACL')} to change, ${counts.unchanged} unchanged, ${counts.refused} refused, ${counts.failed} failed` +
        (plan.ipSets.length
          ? `; ${plural(setChanges, 'IP set')} to write${extended ? `, ${extended} with later expiry dates` : ''}.`
          : '.'),
    ),
  );
  out.push(...renderSkipped(plan.work.skipped, plan.work.problems, style));
  out.push(...renderPolicyChanges(planPolicyChanges(plan), style));
  return `${out.join('\n')}\n`;
}

/** The Firewall Manager policy changes a plan needs, one per policy and rule group. */
export function planPolicyChanges(plan: Plan): PolicyChangeSummary[] {
  return summarizePolicyChanges(
    plan.acls.flatMap((acl) =>
      acl.outcomes.flatMap((o) =>
        o.policyChange
          ? [
              {
                webAcl: { name: acl.ref.name, arn: acl.ref.arn },
                suggestionId: o.suggestionId,
                change: o.policyChange,
              },
            ]
          : [],
      ),
    ),
  );
}

function jsonLines(value: unknown, indent: string): string[] {
  return JSON.stringify(value, null, 2)
    .split('\n')
    .map((line) => `${indent}${s(line, 2000)}`);
}

export function renderPolicyChanges(changes: readonly PolicyChangeSummary[], style: Style): string[] {
  if (!changes.length) return [];
  const out = [
    '',
    style.bold(
      'Firewall Manager policy changes (for the Firewall Manager administrator; waftune writes none of this):',
    ),
  ];
  for (const c of changes) {
    const policy = c.policy ? `policy ${s(c.policy)}` : 'the policy that manages these web ACLs';
    out.push(
      '',
      style.change(
        `~ ${policy}: in ManagedServiceData.${c.key}, the entry for ${s(c.ruleGroup)} (rule group ${s(c.ruleGroupName)} in the web ACL) counts ${c.ruleIds.map((r) => s(r)).join(', ')}:`,
      ),
      ...jsonLines(c.entry, '    '),
      style.dim(
        `    web ACLs: ${c.webAcls.map((w) => s(w.name)).join(', ')}; suggestions ${c.suggestionIds.map((x) => s(x)).join(', ')}`,
      ),
    );
    if (c.labelRule === 'account') {
      out.push(
        style.dim(
          "    The label rule that keeps blocking outside the scope is in this plan, at the top of each account's rules (they run after the policy's first rule groups). Apply it first: it does nothing while the policy still blocks the rule, and it holds the moment the policy counts it.",
        ),
      );
    } else {
      out.push(
        style.dim(
          "    This group runs after the account's rules, so no account rule can see its labels: in the same policy update, add a rule group to postProcessRuleGroups after it, with this rule:",
        ),
        ...c.policyRules.flatMap((r) => jsonLines(r, '      ')),
      );
    }
  }
  return out;
}

export function countPlan(plan: Plan): {
  change: number;
  unchanged: number;
  refused: number;
  failed: number;
} {
  const counts = { change: 0, unchanged: 0, refused: 0, failed: 0 };
  for (const a of plan.acls) counts[a.status]++;
  return counts;
}

/** The account of a place in JSON output, only for fleet runs (single-account output is unchanged). */
function accountJson(place: WafLocation): { account?: string; accountName?: string } {
  return place.account ? { account: place.account, accountName: place.accountName ?? place.account } : {};
}

/** The plan of no suggestions (`plan --json` when nothing is left to plan): every list empty. */
export function emptyPlanJson(maxWcu: number): PlanOutput {
  return {
    version: 1,
    suggestions: [],
    maxWcu,
    ipSets: [],
    webAcls: [],
    skipped: [],
    problems: [],
    firewallManager: [],
    summary: { change: 0, unchanged: 0, refused: 0, failed: 0 },
  };
}

/** schemas/plan.ts `planOutputSchema`. */
export function planJson(plan: Plan): PlanOutput {
  return {
    version: 1,
    suggestions: plan.work.suggestions.map((x) => x.id),
    maxWcu: plan.maxWcu,
    ipSets: plan.ipSets.map((set) => ({
      name: set.name,
      scope: set.location.scope,
      region: set.location.region,
      ...accountJson(set.location),
      arn: set.ref?.arn ?? null,
      status: set.status,
      reason: set.reason ?? null,
      currentCount: set.currentCount,
      add: set.add.map((a) => ({ address: a.cidr, expiresAt: a.expiresAt, suggestionId: a.suggestionId })),
      extend: set.extend.map((a) => ({
        address: a.cidr,
        expiresAt: a.expiresAt,
        suggestionId: a.suggestionId,
      })),
    })),
    webAcls: plan.acls.map((acl) => ({
      name: acl.ref.name,
      arn: acl.ref.arn,
      scope: acl.ref.scope,
      region: acl.ref.region,
      ...accountJson(acl.ref),
      status: acl.status,
      reason: acl.reason ?? null,
      wcu: {
        before: acl.wcuBefore ?? null,
        after: acl.wcuAfter ?? null,
        estimated: acl.wcuEstimated ?? false,
      },
      // Copies: a plain object type, as the contract's open objects want (an interface has no index signature).
      outcomes: acl.outcomes.map((o) => ({ ...o })),
      // Where a CDN is in front: blocked addresses also match by forwarded address here.
      forwardedIp: acl.forwardedIp.map((r) => ({
        ipVersion: r.version,
        headerName: r.headerName,
        position: r.position,
        fallbackBehavior: r.fallbackBehavior,
      })),
      changes: acl.diff,
      rulesAfter: acl.status === 'change' ? acl.afterRules : undefined,
    })),
    skipped: plan.work.skipped,
    problems: plan.work.problems,
    firewallManager: planPolicyChanges(plan).map((c) => ({ ...c })),
    summary: countPlan(plan),
  };
}

function entryHead(e: ChangeEntry): string {
  const what =
    e.target.type === 'web-acl' ? 'web ACL' : e.target.type === 'logging' ? 'logging of' : 'IP set';
  return `${what} ${s(e.target.name)} (${where(e.target)})`;
}

export function renderEntry(e: ChangeEntry, style: Style): string {
  const tries =
    e.attempts && e.attempts > 1 ? ` after ${e.attempts} attempts (someone else wrote in between)` : '';
  const reason = e.reason ? `: ${s(e.reason)}` : '';
  switch (e.status) {
    case 'applied':
      return style.add(`+ ${entryHead(e)}: applied${tries}${e.reason ? ` (${s(e.reason)})` : ''}`);
    case 'unchanged':
      return style.dim(`= ${entryHead(e)}: unchanged${reason}`);
    case 'refused':
      return style.change(`! ${entryHead(e)}: refused${reason}`);
    default:
      return style.remove(`x ${entryHead(e)}: failed${reason}`);
  }
}

export function renderRunSummary(record: ChangeRecord, store: string, style: Style): string[] {
  const c = record.summary?.counts ?? { applied: 0, unchanged: 0, refused: 0, failed: 0 };
  const out = [
    style.bold(
      `Change ${record.header.id}: ${c.applied} applied, ${c.unchanged} unchanged, ${c.refused} refused, ${c.failed} failed.`,
    ),
    `Recorded in ${s(store)}.`,
  ];
  return out;
}

/** What a command prints under `change` with --json (schemas/change.ts `runSummarySchema`). */
export function runJson(
  record: ChangeRecord,
  extra: { storeProblems: readonly string[]; location: string },
): RunSummary {
  return {
    changeId: record.header.id,
    kind: record.header.kind,
    status: record.summary?.status ?? 'running',
    counts: record.summary?.counts ?? countEntries(record.entries),
    entries: record.entries.map((e) => ({
      target: e.target,
      status: e.status,
      reason: e.reason ?? null,
      attempts: e.attempts ?? null,
      outcomes: e.outcomes,
      wcuBefore: e.wcuBefore ?? null,
      wcuAfter: e.wcuAfter ?? null,
    })),
    storeProblems: [...extra.storeProblems],
    location: extra.location,
  };
}

export function renderRollbackPlan(plan: RollbackPlan, style: Style): string {
  const h = plan.record.header;
  const out = [
    style.bold(`Rollback of change ${h.id} (${h.kind} by ${s(h.actor.user)} at ${h.createdAt})`),
    '',
  ];
  if (!plan.items.length) out.push('The change wrote nothing; there is nothing to roll back.');
  for (const item of plan.items) {
    const head = entryHead(item.entry);
    if (item.action === 'restore') {
      out.push(
        style.change(
          `~ ${head}: restore the state from before the change${item.reason ? ` (${s(item.reason)})` : ''}`,
        ),
      );
      out.push(...renderRuleDiff(item.diff, style));
      if (item.addressDiff) out.push(...renderAddressDiff(item.addressDiff, style));
    } else if (item.action === 'delete') {
      out.push(style.remove(`- ${head}: delete (${s(item.reason)})`));
      if (item.addressDiff) out.push(...renderAddressDiff(item.addressDiff, style));
    } else if (item.action === 'already') {
      out.push(style.dim(`= ${head}: ${s(item.reason)}`));
    } else if (item.action === 'conflict') {
      out.push(style.remove(`! ${head}: conflict: ${s(item.reason)}`));
      if (item.since) {
        out.push('    changed since the change:');
        out.push(...renderRuleDiff(item.since.diff, style, '      '));
        if (item.since.addressDiff) out.push(...renderAddressDiff(item.since.addressDiff, style, '      '));
      }
    } else {
      out.push(style.remove(`x ${head}: failed: ${s(item.reason)}`));
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function renderAddressDiff(d: { add: string[]; remove: string[] }, style: Style, indent = '    '): string[] {
  const out: string[] = [];
  for (const a of d.add.slice(0, MAX_ADDRESSES_SHOWN)) out.push(style.add(`${indent}+ ${s(a)}`));
  if (d.add.length > MAX_ADDRESSES_SHOWN)
    out.push(style.dim(`${indent}  … and ${d.add.length - MAX_ADDRESSES_SHOWN} more`));
  for (const a of d.remove.slice(0, MAX_ADDRESSES_SHOWN)) out.push(style.remove(`${indent}- ${s(a)}`));
  if (d.remove.length > MAX_ADDRESSES_SHOWN)
    out.push(style.dim(`${indent}  … and ${d.remove.length - MAX_ADDRESSES_SHOWN} more`));
  return out;
}

/** schemas/rollback.ts `rollbackPlanSchema`. */
export function rollbackPlanJson(plan: RollbackPlan): RollbackPlanJson {
  return {
    changeId: plan.record.header.id,
    items: plan.items.map((i) => ({
      target: i.entry.target,
      action: i.action,
      reason: i.reason ?? null,
      changes: i.diff,
      addresses: i.addressDiff ?? null,
      since: i.since ?? null,
    })),
  };
}

export function renderExpiryPlan(plan: ExpiryPlan, style: Style): string {
  const out: string[] = [];
  const due = plan.sets.filter((x) => x.status === 'remove');
  if (!due.length && !plan.sets.some((x) => x.status === 'failed')) out.push('No IP block has expired.');
  for (const set of plan.sets) {
    const head = `IP set ${s(set.name)} (${where(set.location)})`;
    if (set.status === 'remove') {
      out.push(
        style.change(
          `~ ${head}: remove ${plural(set.expired.length, 'expired address', 'expired addresses')}`,
        ),
      );
      for (const item of set.expired.slice(0, MAX_ADDRESSES_SHOWN)) {
        out.push(
          style.remove(
            `    - ${s(item.address)}  expired ${item.expiresAt.slice(0, 10)}  (suggestion ${s(item.suggestionId)}, change ${item.changeId})`,
          ),
        );
      }
      if (set.expired.length > MAX_ADDRESSES_SHOWN)
        out.push(style.dim(`      … and ${set.expired.length - MAX_ADDRESSES_SHOWN} more`));
    } else if (set.status === 'failed') out.push(style.remove(`! ${head}: failed: ${s(set.reason)}`));
  }
  if (plan.upcoming.length) {
    const next = plan.upcoming[0];
    out.push(
      style.dim(
        `${plural(plan.upcoming.length, 'blocked address', 'blocked addresses')} not yet expired${next ? `; next on ${next.expiresAt.slice(0, 10)}` : ''}.`,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** schemas/expire.ts `expiryPlanSchema`. */
export function expiryPlanJson(plan: ExpiryPlan): ExpiryPlanJson {
  return {
    now: plan.now,
    sets: plan.sets.map((x) => ({
      name: x.name,
      scope: x.location.scope,
      region: x.location.region,
      ...accountJson(x.location),
      status: x.status,
      reason: x.reason ?? null,
      expired: x.expired.map((i) => ({
        address: i.address,
        expiresAt: i.expiresAt,
        suggestionId: i.suggestionId,
        changeId: i.changeId,
      })),
    })),
    upcoming: plan.upcoming.map((i) => ({
      address: i.address,
      expiresAt: i.expiresAt,
      set: i.setName,
      scope: i.location.scope,
      region: i.location.region,
      ...accountJson(i.location),
    })),
  };
}

export function rolledBackBy(records: readonly ChangeRecord[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const r of records) if (r.header.rollbackOf) map.set(r.header.rollbackOf, r.header.id);
  return map;
}

export function renderChanges(records: readonly ChangeRecord[], style: Style): string {
  if (!records.length) return 'No changes recorded yet.\n';
  const undone = rolledBackBy(records);
  const rows = records.map((r) => {
    const c = r.summary?.counts;
    const result = c
      ? `${c.applied} applied, ${c.unchanged} unchanged${c.refused ? `, ${c.refused} refused` : ''}${c.failed ? `, ${c.failed} failed` : ''}`
      : 'interrupted';
    const what =
      r.header.kind === 'rollback'
        ? `rollback of ${r.header.rollbackOf}`
        : r.header.kind === 'expire'
          ? 'expire IP blocks'
          : r.header.kind === 'connect'
            ? `connect logging and evidence rule (${plural(r.header.targets.length, 'web ACL')})`
            : `apply ${r.header.suggestions.map((x) => s(x.id, 40)).join(', ')}`;
    const note = undone.get(r.header.id)
      ? `  (rolled back by ${undone.get(r.header.id)})`
      : r.header.resumes
        ? `  (resumes ${r.header.resumes})`
        : '';
    return {
      id: r.header.id,
      when: r.header.createdAt.replace('T', ' ').slice(0, 19),
      who: s(r.header.actor.user, 40),
      what,
      result,
      note,
    };
  });
  const w = (k: 'id' | 'when' | 'who') => Math.max(k.length, ...rows.map((r) => r[k].length));
  const [wi, ww, wh] = [w('id'), w('when'), w('who')];
  const out = [style.bold(`${'ID'.padEnd(wi)}  ${'WHEN (UTC)'.padEnd(ww)}  ${'WHO'.padEnd(wh)}  WHAT`)];
  for (const r of rows) {
    out.push(
      `${r.id.padEnd(wi)}  ${r.when.padEnd(ww)}  ${r.who.padEnd(wh)}  ${r.what}: ${r.result}${style.dim(r.note)}`,
    );
  }
  return `${out.join('\n')}\n`;
}

export function renderChange(
  record: ChangeRecord,
  style: Style,
  diffOf: (e: ChangeEntry) => RuleDiff[],
): string {
  const h = record.header;
  const out = [
    style.bold(`Change ${h.id}`),
    `  kind:        ${h.kind}${h.rollbackOf ? ` of ${h.rollbackOf}` : ''}${h.resumes ? ` (resumes ${h.resumes})` : ''}`,
    `  when:        ${h.createdAt}${record.summary ? ` - ${record.summary.finishedAt}` : ' (interrupted: no end recorded)'}`,
    `  who:         ${s(h.actor.user)}${h.actor.host ? `@${s(h.actor.host)}` : ''}${h.actor.profile ? ` (profile ${s(h.actor.profile)})` : ''}`,
  ];
  if (h.command) out.push(`  command:     ${s(h.command.join(' '))}`);
  if (h.suggestions.length) out.push(`  suggestions: ${h.suggestions.map((x) => s(x.id)).join(', ')}`);
  out.push('');
  for (const e of record.entries) {
    out.push(renderEntry(e, style));
    if (e.status === 'applied') out.push(...renderRuleDiff(diffOf(e), style));
  }
  return `${out.join('\n')}\n`;
}
