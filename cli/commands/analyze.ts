import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../schemas/config.js';
import type { Report } from '../../schemas/report.js';
import { type SuggestionSet, suggestionSetSchema } from '../../schemas/suggestion.js';
import { suggestionAccounts } from '../../src/analyze/accounts.js';
import { analyzeLocal } from '../../src/analyze/local.js';
import { renderReport } from '../../src/analyze/render-text.js';
import { parseDuration } from '../../src/analyze/window.js';
import { decideReport, withDeclined } from '../../src/suggest/decisions.js';
import { type AthenaOptions, analyzeOnAthena } from '../athena.js';
import { loadConfig } from '../config.js';
import { EXIT, UsageError } from '../exit.js';
import { SOURCE_ENV, withHelp } from '../help.js';
import {
  addCommonOptions,
  addSourceArguments,
  applyAwsOptions,
  type CommonOptions,
  durationArg,
  engineOption,
  sourcesOf,
  suggestionsFile,
  useColor,
} from '../options.js';
import { byteProgress } from '../progress.js';
import { resolveSources } from '../sources.js';
import { ensureWritableStateDir } from '../state-dir.js';
import { accountIds, addAccountFilter } from './fleet.js';
import { type AuditOptions, addAuditOption, readDecisions } from './waf-shared.js';

export interface AnalyzeOptions extends CommonOptions, AthenaOptions, AuditOptions {
  source?: string[];
  since?: string;
  engine: string;
  progress: boolean;
  /** `--account`: only the web ACLs of these accounts (ids, or names from the fleet file). */
  account?: string[];
  /** false with --no-save: nothing is written to the state folder. */
  save?: boolean;
}

/** Up front: a state folder that cannot be written fails now, not after the analysis. */
export function checkStateDir(options: AnalyzeOptions): void {
  if (options.save !== false) ensureWritableStateDir(options.stateDir, 'run read-only with --no-save');
}

/** Runs the local chain and the queries; shared by `analyze` and `suggest`. */
export async function runAnalysis(sources: string[], options: AnalyzeOptions): Promise<Report> {
  if (options.engine !== 'duckdb' && options.engine !== 'athena')
    throw new UsageError(`--engine ${options.engine}: use duckdb or athena`);
  const config = loadConfig(options.config);
  const sinceMs = options.since ? parseDuration(options.since) : undefined;
  const accounts = accountIds(config, options.account);
  if (options.engine === 'athena') {
    const local = sources.filter((s) => !s.startsWith('s3://'));
    if (local.length > 0)
      throw new UsageError(
        `--engine athena queries the stack's table over its bucket; ${local[0]} is not s3://`,
      );
    return finishReport(await analyzeOnAthena(options, config, sinceMs, accounts), config, options);
  }
  // --profile/--region reach the S3 and CloudWatch Logs clients through the standard SDK settings.
  applyAwsOptions(options);
  const { paths, streams, close } = await resolveSources(sources, { sinceMs });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const rejectsFile = options.save === false ? null : join(options.stateDir, 'rejects', `${stamp}.jsonl`);
  const bar = byteProgress(options.progress && Boolean(process.stderr.isTTY));
  let report: Report;
  try {
    report = await analyzeLocal(paths, {
      config,
      sinceMs,
      streams,
      rejectsFile,
      ...(accounts ? { accounts } : {}),
      onStart: bar.start,
      progress: ({ bytes, events }) => bar.update(bytes, events),
    });
  } finally {
    bar.stop();
    close();
  }
  return finishReport(report, config, options);
}

/**
 * The edge's part of a report: the team's decisions applied (read from the change history's
 * store; a store that cannot be read leaves every suggestion proposed, with a warning) and the
 * accounts named as the fleet file names them.
 */
export async function finishReport(report: Report, config: Config, options: AnalyzeOptions): Promise<Report> {
  const decisions = await readDecisions(options);
  const decided = decideReport(
    report,
    decisions,
    new Date(),
    (account, proposed) => proposed.filter((s) => suggestionAccounts(s).has(account)).length,
  );
  const names = new Map((config.fleet?.accounts ?? []).map((a) => [a.id, a.name]));
  return decided.accounts
    ? { ...decided, accounts: decided.accounts.map((a) => ({ ...a, name: names.get(a.account) ?? null })) }
    : decided;
}

/** The contract plan/apply read (schemas/suggestion.ts), validated on the way out. */
export function suggestionSet(report: Report): SuggestionSet {
  return suggestionSetSchema.parse(
    withDeclined({ version: report.version, window: report.window, suggestions: report.suggestions }, report),
  );
}

/** Saves the suggestion set where plan and apply read it; returns the file and the set. */
export function saveSuggestions(stateDir: string, report: Report): { file: string; set: SuggestionSet } {
  mkdirSync(stateDir, { recursive: true });
  const file = suggestionsFile(stateDir);
  const set = suggestionSet(report);
  writeFileSync(file, `${JSON.stringify(set, null, 2)}\n`);
  return { file, set };
}

/**
 * A command that runs the analysis (analyze, suggest): the sources, the window, the engine and
 * where `--engine athena` runs (the stack's Glue database and workgroup), the common options, the
 * account filter and the change history. Each adds its own saving options.
 */
export function analysisCommand(program: Command, name: string, description: string): Command {
  return addAuditOption(
    addAccountFilter(
      addCommonOptions(
        addSourceArguments(program.command(name))
          .description(description)
          .option('--since <duration>', 'only the last part of the data, e.g. 24h, 7d', durationArg)
          .addOption(engineOption())
          .option(
            '--athena-database <name>',
            'with --engine athena: the Glue database (stack output)',
            'waftune_dev',
          )
          .option(
            '--athena-workgroup <name>',
            'with --engine athena: the Athena workgroup (stack output)',
            'waftune-dev',
          )
          .option('--no-progress', 'no progress bar'),
      ),
    ),
  );
}

export function register(program: Command): void {
  const cmd = analysisCommand(
    program,
    'analyze',
    'report what is blocked, on which sites, by which rule; false positives, attackers and suggestions',
  )
    .option('--no-save', 'read-only: save no suggestions and no rejected input in the state folder')
    .action(async (positional: string[], options: AnalyzeOptions) => {
      const sources = sourcesOf(positional, options);
      checkStateDir(options);
      const report = await runAnalysis(sources, options);
      if (options.save !== false) saveSuggestions(options.stateDir, report);
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderReport(report, { color: useColor(process.stdout) }));
      process.exitCode = report.input.rejected > 0 ? EXIT.partial : EXIT.ok;
    });
  withHelp(
    cmd,
    [
      'waftune analyze ./logs',
      'waftune analyze s3://my-waf-logs/AWSLogs/ --since 24h',
      'waftune analyze --engine athena --athena-workgroup waftune-prod --athena-database waftune_prod --json > report.json',
      'waftune analyze ./logs --no-save    # in a read-only folder',
    ],
    SOURCE_ENV,
  );
}
