import { createAthenaEngine, defaultAthenaNames } from '../adapters/athena.js';
import type { Config } from '../schemas/config.js';
import type { Report } from '../schemas/report.js';
import { analyze, completeReport } from '../src/analyze/run-analysis.js';
import { suggest } from '../src/suggest/index.js';
import { applyAwsOptions, type CommonOptions } from './options.js';

/**
 * `analyze --engine athena`: the same queries and suggester as the local chain, run on the Glue
 * table the stack keeps over events/, so nothing is downloaded. Input statistics stay empty: the
 * records were read by the transform Lambda, not here.
 */

export interface AthenaOptions extends CommonOptions {
  athenaDatabase?: string;
  athenaWorkgroup?: string;
}

export async function analyzeOnAthena(
  options: AthenaOptions,
  config: Config,
  sinceMs: number | undefined,
): Promise<Report> {
  applyAwsOptions(options);
  const names = defaultAthenaNames();
  const engine = createAthenaEngine({
    workGroup: options.athenaWorkgroup ?? names.workGroup,
    database: options.athenaDatabase ?? names.database,
  });
  try {
    // The table is live: --since counts back from now, and every query is pruned to those days.
    const analysis = await analyze(engine, {
      sinceMs,
      nowMs: Date.now(),
      trustedProxies: config.trustedProxies,
    });
    const { suggestions, notSuggested, spared } = suggest(analysis, config);
    return completeReport(analysis, null, null, { suggestions, notSuggested, sparedSources: spared });
  } finally {
    await engine.close();
  }
}
