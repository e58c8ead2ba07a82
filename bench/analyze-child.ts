import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_CONFIG } from '../schemas/config.js';
import { defaultWorkers } from '../src/analyze/ingest-pool.js';
import { analyzeLocal } from '../src/analyze/local.js';
import { DuckDbEngine } from '../src/engines/duckdb.js';
import { terminalSafe } from '../src/text/terminal.js';

// The build compiles this file with the package (dist/bench/analyze-child.js), and the bench runs
// that: the compiled package as users run it, with no TypeScript loader in this process or its
// worker threads (tsx's hooks, inherited by the workers, cost about 0.7-1 s and 30-40 MiB at 4x).

/**
 * What any reader that parses every record in JavaScript must spend at least: each file read,
 * gunzipped and split into lines, each line given to JSON.parse, on as many worker threads as
 * analyze parses with, and nothing else (no validation, no event, no DuckDB). Plain JavaScript
 * evaluated in the worker, so that no loader or project code is measured with it.
 */
const FLOOR_WORKER = `
const { parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { gunzipSync } = require('node:zlib');
parentPort.on('message', (file) => {
  if (file === null) return process.exit(0);
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  let records = 0;
  for (let i = 0; i < text.length; ) {
    let end = text.indexOf('\\n', i);
    if (end === -1) end = text.length;
    if (end > i) {
      JSON.parse(text.slice(i, end));
      records++;
    }
    i = end + 1;
  }
  parentPort.postMessage(records);
});`;

function gzipFiles(root: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.gz')) out.push(join(e.parentPath, e.name));
  return out;
}

async function parseFloor(root: string): Promise<number> {
  const files = gzipFiles(root);
  let next = 0;
  let records = 0;
  const threads = Array.from({ length: defaultWorkers(files.length) }, () => {
    const worker = new Worker(FLOOR_WORKER, { eval: true });
    return new Promise<void>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('exit', () => resolve());
      worker.on('message', (n: number) => {
        records += n;
        worker.postMessage(files[next++] ?? null);
      });
      worker.postMessage(files[next++] ?? null);
    });
  });
  await Promise.all(threads);
  return records;
}

/**
 * One measurement in its own process, so that its peak memory (maxRSS) is its own:
 * `analyze DIR` runs the whole chain; `scan DIR` is DuckDB alone counting the same files;
 * `floor DIR` is the JavaScript parse floor above.
 */
const [mode, dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: analyze-child (analyze|scan|floor) DIR');
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
} else if (mode === 'floor') {
  records = await parseFloor(dir);
} else {
  // The default reader unless told otherwise (WAFTUNE_READER=fast: the fast reader's row).
  const reader = process.env.WAFTUNE_READER === 'fast' ? 'fast' : 'exact';
  const report = await analyzeLocal([dir], {
    config: DEFAULT_CONFIG,
    rejectsFile: null,
    reader,
    // WAFTUNE_PROFILE=1: the load and query times on stderr, made inert (a refused batch's line
    // quotes DuckDB's message, which can quote a record).
    ...(process.env.WAFTUNE_PROFILE
      ? { onTiming: (line: string) => process.stderr.write(`${terminalSafe(line, 1000)}\n`) }
      : {}),
  });
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
