import type { Command } from 'commander';
import { type ApplyOutput, type ApplyRunOutput, applyOutputSchema } from '../../schemas/apply.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { applyWork, unfinishedTargets } from '../../src/waf/apply.js';
import { resolveChangeId } from '../../src/waf/audit.js';
import { planHasChanges, workToApply } from '../../src/waf/plan.js';
import { commonFailure, nothingToApply } from '../../src/waf/plan-health.js';
import { planJson, renderEntry, renderPlan, renderRunSummary, runJson } from '../../src/waf/render.js';
import { EXIT, UsageError } from '../exit.js';
import { WAF_ENV, WRITER_ENV, withHelp } from '../help.js';
import { stopGracefully } from '../signals.js';
import { fleetAccountsRecord } from './fleet.js';
import {
  addTargetOptions,
  computePlan,
  fleetFailure,
  openTargets,
  planExitCode,
  type Selection,
  selectForChange,
  selectionJson,
  selectionNote,
} from './plan.js';
import {
  actor,
  addWafOptions,
  auditStore,
  commandLine,
  confirm,
  outputStyle,
  parseMaxWcu,
  say,
  type WafCommandOptions,
  writeJson,
} from './waf-shared.js';

/**
 * `waftune apply [ID...]`: shows the plan, asks (or takes --yes), then changes each web ACL with
 * its LockToken, retrying on a concurrent edit. Every target's result is recorded; a run that
 * failed part-way is finished with `apply --resume <change-id>`.
 */

interface ApplyCommandOptions extends WafCommandOptions {
  resume?: string;
}

// Through the published contract (schemas/json/apply.schema.json): what is printed is what it says.
function printJson(out: ApplyOutput): void {
  writeJson(applyOutputSchema.parse(out));
}

export function register(program: Command): void {
  const cmd = addWafOptions(
    addTargetOptions(
      program
        .command('apply')
        .description('apply suggestions to the web ACLs (shows the plan and asks first)')
        .argument('[id...]', 'suggestion ids or unique prefixes (default: every saved suggestion)'),
    )
      .option('--yes', 'do not ask for confirmation (for scripts)')
      .option(
        '--resume <change-id>',
        'finish an interrupted or partly failed apply: same suggestions, the web ACLs it did not do',
      ),
  ).action(async (ids: string[], options: ApplyCommandOptions) => {
    const style = outputStyle();
    const store = auditStore(options);
    let suggestions: Suggestion[];
    let selection: Selection | undefined;
    let acls: string[] | undefined;
    let resumes: string | undefined;
    let wholeAccounts: string[] = [];
    if (options.resume) {
      if (ids.length)
        throw new UsageError('--resume takes the suggestions from the change record; give no ids');
      const record = await resolveChangeId(store, options.resume);
      if (record.header.kind !== 'apply')
        throw new Error(`change ${record.header.id} is a ${record.header.kind}, not an apply`);
      acls = unfinishedTargets(record);
      wholeAccounts = (record.header.accounts ?? [])
        .filter((a) => a.status === 'unavailable')
        .map((a) => a.id);
      resumes = record.header.id;
      suggestions = record.header.suggestions;
      if (!acls.length && !wholeAccounts.length) {
        if (options.json) printJson({ resumes, change: null, message: 'nothing left to do' });
        else process.stdout.write(`Change ${record.header.id} left nothing undone.\n`);
        process.exitCode = EXIT.ok;
        return;
      }
    } else {
      selection = await selectForChange(options, ids);
      suggestions = selection.suggestions;
      say(options, selectionNote(selection));
    }
    // Every answer from here on says which declined suggestions were left out (or taken anyway).
    const chosen = selection;
    const printRun = (out: Omit<ApplyRunOutput, 'declined'>) =>
      printJson({ ...out, ...(chosen ? selectionJson(chosen) : {}) });
    if (!suggestions.length) {
      if (options.json) printRun({ plan: null, change: null });
      else process.stdout.write('No suggestions to apply.\n');
      process.exitCode = EXIT.ok;
      return;
    }

    const targets = await openTargets(options);
    const plan = await computePlan(targets, {
      suggestions,
      options,
      ...(acls ? { acls } : {}),
      ...(wholeAccounts.length ? { wholeAccounts } : {}),
    });
    const common = commonFailure(plan);
    if (common) {
      // One cause for every target: said once, nothing to apply (exit 1).
      if (options.json) printRun({ plan: planJson(plan), change: null, error: common });
      process.stderr.write(`waftune apply: nothing applied: every web ACL failed the same way: ${common}\n`);
      process.exitCode = EXIT.failed;
      return;
    }
    say(options, renderPlan(plan, style));
    if (fleetFailure(targets)) {
      if (options.json)
        printRun({ plan: planJson(plan), change: null, error: 'no account could be reached' });
      else process.stderr.write('\nNothing applied: no account of the fleet could be reached.\n');
      process.exitCode = EXIT.failed;
      return;
    }
    if (!planHasChanges(plan)) {
      if (options.json) printRun({ plan: planJson(plan), change: null });
      else process.stdout.write(`\n${nothingToApply(plan)}\n`);
      process.exitCode = planExitCode(plan);
      return;
    }

    const answer = await confirm('\nDo you want to apply these changes?', options);
    if (answer !== 'yes') {
      const why =
        answer === 'not-a-terminal'
          ? 'Not applied: there is no terminal to confirm on; pass --yes to apply from a script.'
          : 'Apply cancelled.';
      if (options.json) printRun({ plan: planJson(plan), change: null, error: why });
      else process.stderr.write(`\n${why}\n`);
      process.exitCode = EXIT.failed;
      return;
    }

    say(options, '\n');
    const maxWcu = parseMaxWcu(options.maxWcu);
    const signal = stopGracefully();
    const result = await applyWork(targets.port, store, workToApply(plan), {
      actor: actor(options),
      now: () => new Date(),
      command: commandLine(),
      ...(targets.fleet ? { accounts: fleetAccountsRecord(targets.fleet) } : {}),
      ...(maxWcu ? { maxWcu } : {}),
      ...(resumes ? { resumes } : {}),
      signal,
      onEntry: (entry) => say(options, `${renderEntry(entry, style)}\n`),
    });
    const { record, storeProblems } = result;
    const counts = record.summary?.counts ?? { applied: 0, unchanged: 0, refused: 0, failed: 0 };
    const unfinished = counts.failed + counts.refused > 0;
    if (options.json) {
      printRun({
        plan: planJson(plan),
        change: runJson(record, { storeProblems, location: store.location }),
      });
    } else {
      const lines = ['', ...renderRunSummary(record, store.location, style)];
      if (signal.aborted)
        lines.push(
          `Stopped by ${String(signal.reason)} before every web ACL was done: waftune apply --resume ${record.header.id}`,
        );
      else if (unfinished)
        lines.push(`To retry what did not apply: waftune apply --resume ${record.header.id}`);
      if (counts.applied) lines.push(`To undo: waftune rollback ${record.header.id}`);
      for (const p of storeProblems) lines.push(style.remove(`warning: ${p}`));
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (signal.aborted) return; // the exit code of the signal, set by cli/signals.ts
    if (storeProblems.length || (counts.applied + counts.unchanged === 0 && unfinished))
      process.exitCode = EXIT.failed;
    else if (unfinished || planExitCode(plan) !== EXIT.ok) process.exitCode = EXIT.partial;
    else process.exitCode = EXIT.ok;
  });
  withHelp(
    cmd,
    [
      'waftune apply',
      'waftune apply --yes    # from a script: no question asked',
      'waftune apply ovr-5705 --acl shop-prod --max-wcu 1500',
      'waftune apply --resume 20261120-101500-3fa9',
    ],
    [...WAF_ENV, ...WRITER_ENV],
  );
}
