import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderSuggestions } from '../../src/suggest/render-text.js';
import { EXIT } from '../exit.js';
import { addCommonOptions, addSourceArguments, sourcesOf, useColor } from '../options.js';
import { type AnalyzeOptions, runAnalysis, saveSuggestions } from './analyze.js';
import { addAccountFilter } from './fleet.js';
import { addAuditOption } from './waf-shared.js';

interface SuggestOptions extends AnalyzeOptions {
  out?: string;
}

export function register(program: Command): void {
  addAuditOption(
    addAccountFilter(
      addCommonOptions(
        addSourceArguments(program.command('suggest'))
          .description(
            'suggestions only (rule overrides and IP blocks), with evidence and replayed impact; saved for plan/apply',
          )
          .option('--since <duration>', 'only the last part of the data, e.g. 24h, 7d')
          .option('--engine <engine>', 'duckdb (local, default) or athena', 'duckdb')
          .option('--out <file>', 'also write the suggestion set (JSON) to this file')
          .option('--no-progress', 'no progress bar'),
      ),
    ),
  ).action(async (positional: string[], options: SuggestOptions) => {
    const report = await runAnalysis(sourcesOf(positional, options), options);
    const { file: saved, set } = saveSuggestions(options.stateDir, report);
    if (options.out) writeFileSync(options.out, `${JSON.stringify(set, null, 2)}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(set, null, 2)}\n`);
    else process.stdout.write(renderSuggestions(report, { color: useColor(process.stdout), savedTo: saved }));
    process.exitCode = report.input.rejected > 0 ? EXIT.partial : EXIT.ok;
  });
}
