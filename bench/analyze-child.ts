import { existsSync } from 'node:fs';

// The compiled package, as users run it (`npm run bench` builds it first): its worker threads load
// JavaScript, not TypeScript through tsx.
const built = (path: string) => {
  const url = new URL(`../dist/${path}`, import.meta.url);
  if (!existsSync(url)) throw new Error('run `npm run build` first (npm run bench does)');
  return url.href;
};
const { DEFAULT_CONFIG } = (await import(
  built('schemas/config.js')
)) as typeof import('../schemas/config.js');
const { analyzeLocal } = (await import(
  built('src/analyze/local.js')
)) as typeof import('../src/analyze/local.js');
const { DuckDbEngine } = (await import(
  built('src/engines/duckdb.js')
)) as typeof import('../src/engines/duckdb.js');

/**
 * One measurement in its own process, so that its peak memory (maxRSS) is its own:
 * `analyze DIR` runs the whole chain; `scan DIR` is DuckDB alone counting the same files.
 */
const [mode, dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: analyze-child (analyze|scan) DIR');
const started = performance.now();
let records = 0;
let suggestions = 0;
let topRules: unknown[] = [];
if (mode === 'scan') {
  const engine = await DuckDbEngine.create();
  const glob = `${dir.replaceAll("'", "''")}/**/*.gz`;
  const rows = await engine.sql(
    `SELECT count(*) AS n FROM read_json('${glob}', format = 'newline_delimited')`,
  );
  records = Number(rows[0]?.n ?? 0);
  await engine.close();
} else {
  // The default reader unless told otherwise (WAFTUNE_READER=fast: the fast reader's row).
  const reader = process.env.WAFTUNE_READER === 'fast' ? 'fast' : 'exact';
  const report = await analyzeLocal([dir], { config: DEFAULT_CONFIG, rejectsFile: null, reader });
  records = report.input.events;
  suggestions = report.suggestions.length;
  topRules = report.topRules;
}
const seconds = (performance.now() - started) / 1000;
const usage = process.resourceUsage();
// CPU of every thread of this process (parse workers and DuckDB's threads included).
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
process.stdout.write(
  `${JSON.stringify({ mode, records, seconds, cpuSeconds, maxRssMiB: usage.maxRSS / 1024, suggestions, topRules })}\n`,
);
