import type { Command } from 'commander';
import { type ExpireOutput, expireOutputSchema } from '../../schemas/expire.js';
import { executeExpiry, planExpiry } from '../../src/waf/expire.js';
import {
  expiryPlanJson,
  renderEntry,
  renderExpiryPlan,
  renderRunSummary,
  runJson,
} from '../../src/waf/render.js';
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
 * `waftune expire`: removes IP blocks past their expiry from the waftune IP sets. The same
 * planExpiry/executeExpiry run on a schedule in the cloud.
 */
export function register(program: Command): void {
  const cmd = addWafOptions(
    addAccountOption(program.command('expire'))
      .description('remove expired IP blocks from the waftune IP sets')
      .option('--yes', 'do not ask for confirmation (for scripts and schedules)'),
  ).action(async (options: WafCommandOptions) => {
    loadConfig(options.config);
    const style = outputStyle();
    const store = auditStore(options);
    const targets = await openTargets(options);
    const port = targets.port;
    if (targets.single)
      await preflight(targets.single, await targets.single.defaultRegion().catch(() => undefined));
    const unavailable = new Map((targets.fleet?.unavailable ?? []).map((u) => [u.account.id, u.reason]));
    const plan = await planExpiry(port, store, new Date(), {
      ...(unavailable.size ? { unavailable } : {}),
      ...(targets.fleet ? { accounts: targets.fleet.accounts.map((a) => a.id) } : {}),
    });
    // Through the published contract (schemas/json/expire.schema.json): what is printed is what it says.
    const printJson = (out: Omit<ExpireOutput, 'plan'>) =>
      writeJson(expireOutputSchema.parse({ plan: expiryPlanJson(plan), ...out }));
    for (const line of unavailableLines(targets.fleet)) say(options, `${style.change(`warning: ${line}`)}\n`);
    say(options, renderExpiryPlan(plan, style));
    const failed = plan.sets.some((s) => s.status === 'failed');
    const todo = plan.sets.filter((s) => s.status === 'remove');
    if (!todo.length) {
      if (options.json) printJson({ change: null });
      process.exitCode =
        plan.sets.length > 0 && plan.sets.every((x) => x.status === 'failed')
          ? EXIT.failed
          : failed
            ? EXIT.partial
            : EXIT.ok;
      return;
    }
    const count = todo.reduce((n, s) => n + s.expired.length, 0);
    const answer = await confirm(`Remove ${count} expired address(es)?`, options);
    if (answer !== 'yes') {
      const why =
        answer === 'not-a-terminal'
          ? 'Not removed: there is no terminal to confirm on; pass --yes.'
          : 'Expire cancelled.';
      if (options.json) printJson({ change: null, error: why });
      else process.stderr.write(`${why}\n`);
      process.exitCode = EXIT.failed;
      return;
    }
    const signal = stopGracefully();
    const { record, storeProblems } = await executeExpiry(port, store, plan, {
      signal,
      actor: actor(options),
      now: () => new Date(),
      command: commandLine(),
    });
    for (const e of record.entries) say(options, `${renderEntry(e, style)}\n`);
    if (options.json) printJson({ change: runJson(record, { storeProblems, location: store.location }) });
    else
      process.stdout.write(
        `${['', ...renderRunSummary(record, store.location, style), ...storeProblems.map((p) => `warning: ${p}`)].join('\n')}\n`,
      );
    if (signal.aborted) return; // the exit code of the signal, set by cli/signals.ts; the next run removes the rest
    const counts = record.summary?.counts ?? { applied: 0, unchanged: 0, refused: 0, failed: 0 };
    if (storeProblems.length) process.exitCode = EXIT.failed;
    else process.exitCode = counts.failed + counts.refused > 0 || failed ? EXIT.partial : EXIT.ok;
  });
  withHelp(cmd, ['waftune expire', 'waftune expire --yes --region eu-west-1'], [...WAF_ENV, ...WRITER_ENV]);
}
