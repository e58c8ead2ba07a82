import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderSuggestions } from '../../src/suggest/render-text.js';
import { EXIT } from '../exit.js';
import { SOURCE_ENV, withHelp } from '../help.js';
import { sourcesOf, useColor } from '../options.js';
import {
  type AnalyzeOptions,
  analysisCommand,
  checkStateDir,
  runAnalysis,
  saveSuggestions,
  suggestionSet,
} from './analyze.js';

interface SuggestOptions extends AnalyzeOptions {
  out?: string;
}

export function register(program: Command): void {
  const cmd = analysisCommand(
    program,
    'suggest',
    'suggestions only (rule overrides and IP blocks), with evidence and replayed impact; saved for plan/apply',
  )
    .option('--out <file>', 'also write the suggestion set (JSON) to this file')
    .option('--no-save', 'read-only: save nothing in the state folder (use --out or --json)')
    .action(async (positional: string[], options: SuggestOptions) => {
      const sources = sourcesOf(positional, options);
      checkStateDir(options);
      const report = await runAnalysis(sources, options);
      const saved = options.save === false ? undefined : saveSuggestions(options.stateDir, report);
      const set = saved?.set ?? suggestionSet(report);
      if (options.out) writeFileSync(options.out, `${JSON.stringify(set, null, 2)}\n`);
      if (options.json) process.stdout.write(`${JSON.stringify(set, null, 2)}\n`);
      else
        process.stdout.write(
          renderSuggestions(report, {
            color: useColor(process.stdout),
            savedTo: saved?.file ?? null,
          }),
        );
      process.exitCode = report.input.rejected > 0 ? EXIT.partial : EXIT.ok;
    });
  withHelp(
    cmd,
    [
      'waftune suggest ./logs',
      'waftune suggest s3://my-waf-logs/AWSLogs/ --since 7d --out suggestions.json',
      'waftune suggest --engine athena --athena-workgroup waftune-prod --athena-database waftune_prod --since 7d',
    ],
    SOURCE_ENV,
  );
}
