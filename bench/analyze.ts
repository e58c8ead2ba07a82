import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fleetData } from './fleet-data.js';

/**
 * `npm run bench` (analyze part): waftune analyze on a generated fleet of >= 1M records beside
 * DuckDB alone scanning the same files (a read_json count), in the same run; and peak memory at
 * a quarter and at the full size, to show it stays flat as the input grows.
 * Target: analyze within 3x of the bare scan.
 */
interface Measure {
  mode: string;
  records: number;
  seconds: number;
  maxRssMiB: number;
  suggestions: number;
}

const child = fileURLToPath(new URL('./analyze-child.ts', import.meta.url));

function measure(mode: 'analyze' | 'scan', dir: string, reader: 'exact' | 'fast' = 'exact'): Measure {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, mode, dir], {
    encoding: 'utf8',
    env: { ...process.env, WAFTUNE_READER: reader },
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Measure;
}

const full = await fleetData('fleet-33x', 33);
const quarter = await fleetData('fleet-8x', 8.25);

const scan = measure('scan', full.dir);
const analyze = measure('analyze', full.dir);
const fast = measure('analyze', full.dir, 'fast');
const small = measure('analyze', quarter.dir);
const smallFast = measure('analyze', quarter.dir, 'fast');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `input: ${fmt(analyze.records)} records in ${full.files} gzip files, ${(full.bytes / 2 ** 20).toFixed(0)} MiB`,
);
console.log(
  `duckdb read_json count (baseline): ${scan.seconds.toFixed(2)} s, ${fmt(scan.records / scan.seconds)} records/s`,
);
console.log(
  `waftune analyze (read, normalize, classify, load, queries, suggestions): ${analyze.seconds.toFixed(2)} s, ${fmt(analyze.records / analyze.seconds)} records/s, ${analyze.suggestions} suggestions`,
);
const ratio = analyze.seconds / scan.seconds;
console.log(
  `ratio analyze / bare scan: ${ratio.toFixed(2)}x (target <= 3x) ${ratio <= 3 ? 'OK' : 'OVER TARGET'}`,
);
console.log(
  `waftune analyze, fast reader (SQL for the records no rule matched): ${fast.seconds.toFixed(2)} s, ${(fast.seconds / scan.seconds).toFixed(2)}x the bare scan, ${(fast.seconds / analyze.seconds).toFixed(2)} of the exact reader's time, ${fast.suggestions} suggestions`,
);
const peak = (label: string, a: Measure, b: Measure) =>
  console.log(
    `peak memory (${label}): ${a.maxRssMiB.toFixed(0)} MiB at ${fmt(a.records)} records, ${b.maxRssMiB.toFixed(0)} MiB at ${fmt(b.records)} records (x${(b.records / a.records).toFixed(1)} input -> x${(b.maxRssMiB / a.maxRssMiB).toFixed(2)} memory; target <= 1.1)`,
  );
peak('exact reader', small, analyze);
peak('fast reader', smallFast, fast);
