import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Report } from '../../schemas/report.js';
import { type SuggestionSet, suggestionSetSchema } from '../../schemas/suggestion.js';
import { analyzeLocal } from '../../src/analyze/local.js';
import { renderReport } from '../../src/analyze/render-text.js';
import { parseDuration } from '../../src/analyze/window.js';
import { type AthenaOptions, analyzeOnAthena } from '../athena.js';
import { loadConfig } from '../config.js';
import { EXIT } from '../exit.js';
import {
  addCommonOptions,
  addSourceArguments,
  type CommonOptions,
  sourcesOf,
  suggestionsFile,
  useColor,
} from '../options.js';
import { byteProgress } from '../progress.js';
import { resolveSources } from '../sources.js';

export interface AnalyzeOptions extends CommonOptions, AthenaOptions {
  source?: string[];
  since?: string;
  engine: string;
  progress: boolean;
}

/** Runs the local chain and the queries; shared by `analyze` and `suggest`. */
export async function runAnalysis(sources: string[], options: AnalyzeOptions): Promise<Report> {
  if (options.engine !== 'duckdb' && options.engine !== 'athena')
    throw new Error(`--engine ${options.engine}: use duckdb or athena`);
  const config = loadConfig(options.config);
  const sinceMs = options.since ? parseDuration(options.since) : undefined;
  if (options.engine === 'athena') {
    const local = sources.filter((s) => !s.startsWith('s3://'));
    if (local.length > 0)
      throw new Error(`--engine athena queries the stack's table over its bucket; ${local[0]} is not s3://`);
    return analyzeOnAthena(options, config, sinceMs);
  }
  const paths = await resolveSources(sources, { sinceMs });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const rejectsFile = join(options.stateDir, 'rejects', `${stamp}.jsonl`);
  const bar = byteProgress(options.progress && Boolean(process.stderr.isTTY));
  try {
    return await analyzeLocal(paths, {
      config,
      sinceMs,
      rejectsFile,
      onStart: bar.start,
      progress: ({ bytes, events }) => bar.update(bytes, events),
    });
  } finally {
    bar.stop();
  }
}

/** The contract plan/apply read (schemas/suggestion.ts), validated on the way out. */
export function suggestionSet(report: Report): SuggestionSet {
  return suggestionSetSchema.parse({
    version: report.version,
    window: report.window,
    suggestions: report.suggestions,
  });
}

/** Saves the suggestion set where plan and apply read it; returns the file and the set. */
export function saveSuggestions(stateDir: string, report: Report): { file: string; set: SuggestionSet } {
  mkdirSync(stateDir, { recursive: true });
  const file = suggestionsFile(stateDir);
  const set = suggestionSet(report);
  writeFileSync(file, `${JSON.stringify(set, null, 2)}\n`);
  return { file, set };
}

export function register(program: Command): void {
  addCommonOptions(
    addSourceArguments(program.command('analyze'))
      .description(
        'report what is blocked, on which sites, by which rule; false positives, attackers and suggestions',
      )
      .option('--since <duration>', 'only the last part of the data, e.g. 24h, 7d')
      .option('--engine <engine>', 'duckdb (local, default) or athena', 'duckdb')
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
  ).action(async (positional: string[], options: AnalyzeOptions) => {
    const report = await runAnalysis(sourcesOf(positional, options), options);
    saveSuggestions(options.stateDir, report);
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(renderReport(report, { color: useColor(process.stdout) }));
    process.exitCode = report.input.rejected > 0 ? EXIT.partial : EXIT.ok;
  });
}
