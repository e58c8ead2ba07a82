import type { Command } from 'commander';
import type { Decline } from '../../schemas/decision.js';
import type { Suggestion, SuggestionSet } from '../../schemas/suggestion.js';
import { parseDuration } from '../../src/analyze/window.js';
import {
  currentDecisions,
  describeMeasure,
  evidenceOf,
  newDecisionId,
  REPROPOSE_FACTOR,
} from '../../src/suggest/decisions.js';
import { terminalSafe } from '../../src/text/terminal.js';
import { EXIT } from '../exit.js';
import { WAF_ENV, WRITER_ENV, withHelp } from '../help.js';
import {
  actor,
  addWafOptions,
  auditStore,
  loadSuggestionSet,
  outputStyle,
  type WafCommandOptions,
  writeJson,
} from './waf-shared.js';

/**
 * `waftune decline <id>... [--reason TEXT] [--for 30d]`: the team turns a suggestion down. It is
 * not proposed again (analyze, suggest, digest, watch) while the decision holds, unless its
 * evidence grows REPROPOSE_FACTOR times; `plan`/`apply` refuse it unless --include-declined.
 */

interface DeclineOptions extends WafCommandOptions {
  reason?: string;
  for: string;
  by?: string;
}

const MAX_DAYS = 365;
const round = (n: number) => Math.round(n * 10) / 10;
/** What waftune's stable ids look like (src/suggest/ids.ts), for ids named from a digest or a colleague's run. */
const SUGGESTION_ID = /^(ovr|ipb)-[0-9a-f]{10}$/;

function findSuggestion(set: SuggestionSet | null, id: string): Suggestion | undefined {
  if (!set) return undefined;
  const all = [...set.suggestions, ...(set.declined ?? [])];
  const exact = all.find((s) => s.id === id);
  if (exact) return exact;
  const matches = all.filter((s) => s.id.startsWith(id));
  if (matches.length > 1)
    throw new Error(
      `suggestion id ${terminalSafe(id)} is ambiguous: ${matches.map((m) => terminalSafe(m.id, 60)).join(', ')}`,
    );
  return matches[0];
}

export function register(program: Command): void {
  const cmd = addWafOptions(
    program
      .command('decline')
      .description(
        'turn suggestions down: they are not proposed again while the decision holds, unless their evidence grows x3',
      )
      .argument('<id...>', 'suggestion ids or unique prefixes (from analyze, suggest or the digest)')
      .option('--reason <text>', 'why (shown wherever the suggestion would have been)')
      .option('--for <duration>', `how long the decision holds, e.g. 7d, 30d (at most ${MAX_DAYS}d)`, '30d')
      .option('--by <name>', 'who decided (default: the local user and host)')
      .option(
        '--suggestions <file>',
        'suggestion set the ids come from (default: <state-dir>/suggestions.json)',
      ),
  ).action(async (ids: string[], options: DeclineOptions) => {
    const holdMs = parseDuration(options.for);
    if (holdMs <= 0 || holdMs > MAX_DAYS * 86_400_000)
      throw new Error(`--for ${options.for}: from a minute to ${MAX_DAYS} days`);
    if (options.reason !== undefined && options.reason.length > 2000)
      throw new Error('--reason: at most 2,000 characters');
    let set: SuggestionSet | null = null;
    try {
      set = loadSuggestionSet(options);
    } catch (error) {
      if (options.suggestions) throw error;
    }
    const store = auditStore(options);
    const current = currentDecisions(await store.listDecisions(), new Date());
    const now = new Date();
    const who = actor(options);
    const by = options.by
      ? { user: options.by }
      : { user: who.user, ...(who.host ? { host: who.host } : {}) };
    const recorded: Decline[] = [];
    const warnings: string[] = [];
    for (const id of ids) {
      const suggestion = findSuggestion(set, id);
      if (!suggestion && !SUGGESTION_ID.test(id))
        throw new Error(
          `no suggestion ${terminalSafe(id)} in ${set ? (options.suggestions ?? 'the saved suggestions') : 'any saved suggestion set'} (run waftune suggest, or give the full id)`,
        );
      if (!suggestion)
        warnings.push(
          `${terminalSafe(id)} is not in the saved suggestions: declined without its evidence, so it stays held until the decision runs out`,
        );
      const decision: Decline = {
        version: 1,
        id: newDecisionId(now),
        kind: 'decline',
        suggestionId: suggestion?.id ?? id,
        at: now.toISOString(),
        by,
        reason: options.reason ?? null,
        until: new Date(now.getTime() + holdMs).toISOString(),
        evidence: suggestion && set ? evidenceOf(suggestion, set.window) : null,
        suggestion: suggestion ?? null,
      };
      await store.addDecision(decision);
      recorded.push(decision);
    }
    if (options.json) {
      writeJson({ decisions: recorded, warnings, location: store.decisionsLocation });
    } else {
      const style = outputStyle();
      const lines = recorded.map((d) => {
        const renewed = current.has(d.suggestionId) ? ' (replaces the earlier decision)' : '';
        const evidence = d.evidence
          ? `; proposed again if its ${describeMeasure(d.evidence.measure)} reach x${REPROPOSE_FACTOR} (${round(d.evidence.perDay)} now)`
          : '';
        return style.change(
          `declined ${terminalSafe(d.suggestionId)} until ${d.until.slice(0, 10)}${d.reason ? `: ${terminalSafe(d.reason, 300)}` : ''}${evidence}${renewed}`,
        );
      });
      for (const w of warnings) lines.push(style.change(`warning: ${w}`));
      lines.push(
        style.dim(`Recorded in ${terminalSafe(store.decisionsLocation)} (waftune decisions lists them).`),
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    process.exitCode = EXIT.ok;
  });
  withHelp(
    cmd,
    [
      "waftune decline ovr-5705 --reason 'the checkout team fixes the plugin' --for 30d",
      'waftune decline ipb-e666 --by alice',
    ],
    [...WAF_ENV, ...WRITER_ENV],
  );
}
