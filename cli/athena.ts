import { createAthenaEngine, defaultAthenaNames } from '../adapters/athena.js';
import type { Config } from '../schemas/config.js';
import type { Report } from '../schemas/report.js';
import { analyze, completeReport } from '../src/analyze/run-analysis.js';
import { parseLogsUrl, RAW_TABLE, rawEventsViewDdl, rawTableDdl } from '../src/engines/athena-raw.js';
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
  accounts?: readonly string[],
): Promise<Report> {
  applyAwsOptions(options);
  const names = defaultAthenaNames();
  const engine = createAthenaEngine({
    workGroup: options.athenaWorkgroup ?? names.workGroup,
    database: options.athenaDatabase ?? names.database,
    ...(accounts?.length ? { accounts } : {}),
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

export interface SetupOptions extends CommonOptions {
  logs: string;
  accounts?: string;
  regions?: string;
  webAcls?: string;
  from: string;
  athenaDatabase: string;
  athenaWorkgroup?: string;
  print?: boolean;
}

const list = (s: string | undefined) =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');

/** `athena setup`: the statements, printed or run one after another; returns what to tell the user. */
export async function setupRawLogs(options: SetupOptions): Promise<string | null> {
  const loc = parseLogsUrl(options.logs, {
    accounts: list(options.accounts),
    regions: list(options.regions),
    webAcls: list(options.webAcls),
  });
  if (!/^[a-z0-9_]{1,64}$/.test(options.athenaDatabase))
    throw new Error(`--athena-database ${options.athenaDatabase}: use [a-z0-9_]`);
  const statements: Array<[string, string]> = [
    ['database', `CREATE DATABASE IF NOT EXISTS \`${options.athenaDatabase}\``],
    ['table', rawTableDdl(loc, options.from)],
    ['view', rawEventsViewDdl()],
  ];
  if (options.print) {
    for (const [, s] of statements) process.stdout.write(`${s};\n\n`);
    return null;
  }
  applyAwsOptions(options);
  const engine = createAthenaEngine({
    workGroup: options.athenaWorkgroup ?? defaultAthenaNames().workGroup,
    database: options.athenaDatabase,
  });
  for (const [what, s] of statements) await engine.execute(s, what);
  return `created ${options.athenaDatabase}.${RAW_TABLE} over s3://${loc.bucket}/${loc.prefix}AWSLogs/ and its events view; run: waftune analyze --engine athena --athena-database ${options.athenaDatabase}`;
}
