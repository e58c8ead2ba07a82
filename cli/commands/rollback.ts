import type { Command } from 'commander';
import { type RollbackOutput, rollbackOutputSchema } from '../../schemas/rollback.js';
import { resolveChangeId } from '../../src/waf/audit.js';
import {
  renderEntry,
  renderRollbackPlan,
  renderRunSummary,
  rollbackPlanJson,
  runJson,
} from '../../src/waf/render.js';
import { executeRollback, planRollback } from '../../src/waf/rollback.js';
import { loadConfig } from '../config.js';
import { EXIT } from '../exit.js';
import { WAF_ENV, WRITER_ENV, withHelp } from '../help.js';
import { stopGracefully } from '../signals.js';
import { addAccountOption, unavailableLines } from './fleet.js';
import { openTargets, preflight } from './plan.js';
import {
  actor,
  addWafOptions,
  auditStore,
  commandLine,
  confirm,
  outputStyle,
  say,
  type WafCommandOptions,
  writeJson,
} from './waf-shared.js';

/**
 * `waftune rollback <change-id>`: restores what a change replaced, target by target, where nothing
 * changed since; explains each conflict instead of overwriting a later edit.
 */
export function register(program: Command): void {
  const cmd = addWafOptions(
    addAccountOption(program.command('rollback'))
      .description('restore the web ACLs and IP sets a change modified, where nothing changed since')
      .argument('<change-id>', 'the change to undo (id or unique prefix; see `waftune changes`)')
      .option('--yes', 'do not ask for confirmation (for scripts)'),
  ).action(async (changeId: string, options: WafCommandOptions) => {
    loadConfig(options.config);
    const style = outputStyle();
    const store = auditStore(options);
    const record = await resolveChangeId(store, changeId);
    const targets = await openTargets(options);
    const acrossAccounts = record.entries.some((e) => e.target.account !== undefined);
    if (acrossAccounts && !targets.fleet)
      throw new Error(
        `change ${record.header.id} was made across the accounts of a fleet file: give that config (--config) to roll it back`,
      );
    const port = targets.port;
    if (targets.single)
      await preflight(targets.single, await targets.single.defaultRegion().catch(() => undefined));
    const accounts =
      targets.fleet && options.account?.length ? targets.fleet.accounts.map((a) => a.id) : undefined;
    const plan = await planRollback(port, store, record, accounts ? { accounts } : {});
    // Through the published contract (schemas/json/rollback.schema.json): what is printed is what it says.
    const printJson = (out: Omit<RollbackOutput, 'plan'>) =>
      writeJson(rollbackOutputSchema.parse({ plan: rollbackPlanJson(plan), ...out }));
    for (const line of unavailableLines(targets.fleet)) say(options, `${style.change(`warning: ${line}`)}\n`);
    say(options, renderRollbackPlan(plan, style));
    const conflicts = plan.items.filter((i) => i.action === 'conflict' || i.action === 'failed').length;
    const todo = plan.items.filter((i) => i.action === 'restore' || i.action === 'delete').length;
    if (!todo) {
      if (options.json) printJson({ change: null });
      else
        process.stdout.write(
          conflicts ? 'Nothing can be rolled back without undoing later edits.\n' : 'Nothing to roll back.\n',
        );
      process.exitCode = conflicts ? EXIT.partial : EXIT.ok;
      return;
    }
    const answer = await confirm(`Roll back ${todo} target(s) of change ${record.header.id}?`, options);
    if (answer !== 'yes') {
      const why =
        answer === 'not-a-terminal'
          ? 'Not rolled back: there is no terminal to confirm on; pass --yes.'
          : 'Rollback cancelled.';
      if (options.json) printJson({ change: null, error: why });
      else process.stderr.write(`${why}\n`);
      process.exitCode = EXIT.failed;
      return;
    }
    const signal = stopGracefully();
    const { record: done, storeProblems } = await executeRollback(port, store, plan, {
      signal,
      actor: actor(options),
      now: () => new Date(),
      command: commandLine(),
      onEntry: (entry) => say(options, `${renderEntry(entry, style)}\n`),
    });
    const counts = done.summary?.counts ?? { applied: 0, unchanged: 0, refused: 0, failed: 0 };
    if (options.json) printJson({ change: runJson(done, { storeProblems, location: store.location }) });
    else {
      const lines = ['', ...renderRunSummary(done, store.location, style)];
      for (const p of storeProblems) lines.push(style.remove(`warning: ${p}`));
      if (signal.aborted)
        lines.push(
          `Stopped by ${String(signal.reason)}: the targets not yet restored are as they were; run the rollback again.`,
        );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (signal.aborted) return; // the exit code of the signal, set by cli/signals.ts
    if (storeProblems.length) process.exitCode = EXIT.failed;
    else process.exitCode = counts.failed + counts.refused > 0 || conflicts > 0 ? EXIT.partial : EXIT.ok;
  });
  withHelp(
    cmd,
    [
      'waftune changes',
      'waftune rollback 20261120-101500-3fa9',
      'waftune rollback 20261120-1015 --yes --json',
    ],
    [...WAF_ENV, ...WRITER_ENV],
  );
}
