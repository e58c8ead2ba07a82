import type { Command } from 'commander';
import type { Decision, Undo } from '../../schemas/decision.js';
import {
  currentDecisions,
  type DecisionState,
  describeMeasure,
  newDecisionId,
} from '../../src/suggest/decisions.js';
import { terminalSafe } from '../../src/text/terminal.js';
import { EXIT } from '../exit.js';
import { WAF_ENV, WRITER_ENV, withHelp } from '../help.js';
import {
  actor,
  addWafOptions,
  auditStore,
  outputStyle,
  type WafCommandOptions,
  writeJson,
} from './waf-shared.js';

/**
 * `waftune decisions [--all]`: the suggestions the team declined, who, when, why and until when;
 * `--undo <id>` takes a decision back (the suggestion is proposed again from the next run).
 */

interface DecisionsOptions extends WafCommandOptions {
  all?: boolean;
  undo?: string;
  reason?: string;
}

const s = terminalSafe;

function who(d: { by: { user: string; host?: string } }): string {
  return d.by.host ? `${d.by.user}@${d.by.host}` : d.by.user;
}

function findDecision(states: Map<string, DecisionState>, id: string): DecisionState {
  const all = [...states.values()];
  const exact = all.find((x) => x.decline.id === id || x.decline.suggestionId === id);
  if (exact) return exact;
  const matches = all.filter((x) => x.decline.suggestionId.startsWith(id) || x.decline.id.startsWith(id));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1)
    throw new Error(`${s(id)} is ambiguous: ${matches.map((m) => s(m.decline.suggestionId, 60)).join(', ')}`);
  throw new Error(`no decision on ${s(id)} (waftune decisions lists them)`);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length))) ?? [];
  return rows.map((r) =>
    r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  );
}

function describeTarget(d: DecisionState['decline']): string {
  const x = d.suggestion;
  if (!x) return '(not in the saved suggestions when declined)';
  if (x.kind === 'ip-block')
    return `block ${x.addresses.slice(0, 2).join(', ')}${x.addresses.length > 2 ? ' …' : ''}`;
  const paths = x.scope.paths?.map((p) => `${p.value}${p.match === 'STARTS_WITH' ? '*' : ''}`) ?? [];
  return `${x.ruleId} to Count${paths.length ? ` on ${paths.slice(0, 2).join(', ')}${paths.length > 2 ? ' …' : ''}` : ''}`;
}

export function register(program: Command): void {
  const cmd = addWafOptions(
    program
      .command('decisions')
      .description('the declined suggestions: who, when, why, until when; --undo takes a decision back')
      .option('--all', 'every decision ever taken, the expired and undone ones too')
      .option('--undo <id>', 'take back the decision on this suggestion (id, unique prefix, or decision id)')
      .option('--reason <text>', 'with --undo: why'),
  ).action(async (options: DecisionsOptions) => {
    const store = auditStore(options);
    const decisions = await store.listDecisions();
    const now = new Date();
    const states = currentDecisions(decisions, now);
    const style = outputStyle();

    if (options.undo) {
      const state = findDecision(states, options.undo);
      const undo: Undo = {
        version: 1,
        id: newDecisionId(now),
        kind: 'undo',
        suggestionId: state.decline.suggestionId,
        at: now.toISOString(),
        by: (() => {
          const a = actor(options);
          return { user: a.user, ...(a.host ? { host: a.host } : {}) };
        })(),
        undoes: state.decline.id,
        reason: options.reason ?? null,
      };
      await store.addDecision(undo);
      if (options.json) writeJson({ undo, location: store.decisionsLocation });
      else
        process.stdout.write(
          `${style.change(`undone: ${s(state.decline.suggestionId)} (declined on ${state.decline.at.slice(0, 10)} by ${s(who(state.decline))}) is proposed again from the next run`)}\n`,
        );
      process.exitCode = EXIT.ok;
      return;
    }

    const shown: Decision[] = options.all
      ? decisions
      : [...states.values()].filter((x) => x.status === 'active').map((x) => x.decline);
    if (options.json) {
      writeJson({
        location: store.decisionsLocation,
        decisions: shown.map((d) => ({
          ...d,
          ...(d.kind === 'decline' ? { status: statusOf(states, d) } : {}),
        })),
      });
      process.exitCode = EXIT.ok;
      return;
    }
    if (!shown.length) {
      process.stdout.write(
        options.all
          ? 'No decisions recorded yet.\n'
          : 'No suggestion is declined now (--all shows past decisions).\n',
      );
      process.exitCode = EXIT.ok;
      return;
    }
    const rows = [['SUGGESTION', 'DECLINED', 'BY', 'UNTIL', 'STATUS', 'WHAT, WHY, EVIDENCE THEN']];
    for (const d of shown) {
      if (d.kind === 'undo') {
        rows.push([
          s(d.suggestionId, 40),
          d.at.slice(0, 10),
          s(who(d), 40),
          '-',
          'undo',
          `took back ${d.undoes}${d.reason ? `: ${s(d.reason, 200)}` : ''}`,
        ]);
        continue;
      }
      const evidence = d.evidence
        ? `; ${Math.round(d.evidence.perDay * 10) / 10} ${describeMeasure(d.evidence.measure)}`
        : '';
      rows.push([
        s(d.suggestionId, 40),
        d.at.slice(0, 10),
        s(who(d), 40),
        d.until.slice(0, 10),
        statusOf(states, d),
        `${s(describeTarget(d), 120)}${d.reason ? ` — ${s(d.reason, 200)}` : ''}${evidence}`,
      ]);
    }
    const [head, ...body] = table(rows);
    process.stdout.write(`${[style.bold(head ?? ''), ...body].join('\n')}\n`);
    process.exitCode = EXIT.ok;
  });
  withHelp(
    cmd,
    [
      'waftune decisions',
      'waftune decisions --all --json',
      'waftune decisions --undo dec-20261120-101500-3fa9',
    ],
    [...WAF_ENV, ...WRITER_ENV],
  );
}

function statusOf(states: Map<string, DecisionState>, d: DecisionState['decline']): string {
  const state = states.get(d.suggestionId);
  if (state?.decline.id !== d.id) return 'replaced or undone';
  return state.status === 'active' ? 'held' : 'expired';
}
