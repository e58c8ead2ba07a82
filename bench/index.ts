import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultWorkers } from '../src/analyze/ingest-pool.js';
import { fleetData, repeatedFleet } from './fleet-data.js';
import { compareTopRules, runJqTopRules, type TopRule, toolVersion } from './jq-top-rules.js';

/**
 * `npm run bench`: one run, every figure a ratio against a baseline measured in the same run.
 * - DuckDB alone counting the fleet's files with read_json: the baseline (the bare scan);
 * - waftune analyze on the same files (the whole chain: read, validate, normalize, classify, load,
 *   queries, suggestions), and `zcat | jq | sort | uniq -c` computing the report's top-rules
 *   table, which must give waftune's numbers (checked);
 * - analyze's peak memory at 1x and 4x the input (goal: the 4x peak within 1.1x of the 1x one);
 * - the Firehose transform against bare JSON.parse + JSON.stringify (bench/transform.ts).
 * The scan runs before and after the others and its median is the baseline, since a shared
 * machine drifts; the load average is printed at the start and the end to show how shared it was,
 * and each line ends with the CPU time of the same measure (all threads and processes), which
 * waiting for a busy core does not inflate.
 * BENCH_ROUNDS=3 repeats the analyze (1x and 4x) and jq measurements (medians are taken, of the
 * times and of the peaks: the 1x peak moves by 100 MiB from one run to the next).
 */

interface ChildMeasure {
  mode: string;
  records: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
  suggestions: number;
  topRules: TopRule[];
}

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
// Compiled by `npm run build` (bench:startup runs it first): see the file's head.
const child = fileURLToPath(new URL('../dist/bench/analyze-child.js', import.meta.url));
if (!existsSync(child)) throw new Error('run `npm run build` first (npm run bench does)');
const transformBench = fileURLToPath(new URL('./transform.ts', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

function measure(
  mode: 'analyze' | 'scan' | 'floor',
  dir: string,
  reader: 'exact' | 'fast' = 'exact',
): ChildMeasure {
  const r = spawnSync(process.execPath, [child, mode, dir], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, WAFTUNE_READER: reader },
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ChildMeasure;
  progress(
    `${mode}${reader === 'fast' ? ' (fast reader)' : ''} ${dir.split('/').at(-2)}: ${m.seconds.toFixed(2)} s (${m.cpuSeconds.toFixed(1)} s CPU), ${m.maxRssMiB.toFixed(0)} MiB`,
  );
  return m;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** Uncompressed bytes, from each gzip file's trailer (ISIZE; one member per file, as written). */
function jsonBytes(files: readonly string[]): number {
  let total = 0;
  const tail = Buffer.alloc(4);
  for (const f of files) {
    const fd = openSync(f, 'r');
    readSync(fd, tail, 0, 4, statSync(f).size - 4);
    closeSync(fd);
    total += tail.readUInt32LE(0);
  }
  return total;
}

const startedAt = new Date();
const loadAtStart = load();
const full = await fleetData('fleet-33x', 33);
const quarter = await fleetData('fleet-8x', 8.25);
const sixteen = process.env.BENCH_16X === '0' ? null : repeatedFleet(full, 'fleet-33x-times-4', 4);
const jq = toolVersion('jq');
const zcat = toolVersion('zcat');

say(
  `waftune bench, ${startedAt.toISOString()}: node ${process.version}, ${availableParallelism()} cores, load average ${loadAtStart} (1, 5, 15 min)`,
);
say(
  `input (4x): ${fmt(full.files)} gzip files, ${(full.bytes / 2 ** 20).toFixed(0)} MiB, ${(jsonBytes(full.paths) / 1e9).toFixed(2)} GB of JSON; 1x: ${(quarter.bytes / 2 ** 20).toFixed(0)} MiB`,
);

const scans: ChildMeasure[] = [measure('scan', full.dir)];
const analyses: ChildMeasure[] = [];
const jqRuns: { seconds: number; cpuSeconds: number; rows: TopRule[] }[] = [];
const smalls: ChildMeasure[] = [];
for (let round = 0; round < ROUNDS; round++) {
  analyses.push(measure('analyze', full.dir));
  smalls.push(measure('analyze', quarter.dir));
  scans.push(measure('scan', full.dir));
  if (jq && zcat) {
    const run = runJqTopRules(full.dir);
    progress(`zcat | jq: ${run.seconds.toFixed(2)} s (${run.cpuSeconds.toFixed(1)} s CPU)`);
    jqRuns.push(run);
    scans.push(measure('scan', full.dir));
  }
}
const floor = measure('floor', full.dir);
const small = smalls[0] as ChildMeasure;
const large = sixteen ? measure('analyze', sixteen.dir) : null;
// The fast reader (not the default): DuckDB reads the records no rule matched (README, Benchmark).
const fast = process.env.BENCH_FAST_READER === '0' ? null : measure('analyze', full.dir, 'fast');
const smallFast = fast ? measure('analyze', quarter.dir, 'fast') : null;

const scan = median(scans.map((s) => s.seconds));
const analyze = median(analyses.map((a) => a.seconds));
const scanCpu = median(scans.map((s) => s.cpuSeconds));
const analyzeCpu = median(analyses.map((a) => a.cpuSeconds));
/** CPU seconds against the scan's, for the line's end: less sensitive to neighbours than wall time. */
const cpu = (seconds: number) =>
  `[CPU ${seconds.toFixed(1)} s: ${(seconds / scanCpu).toFixed(2)}x the scan's]`;
const big = analyses[0] as ChildMeasure;
say(
  `baseline, DuckDB read_json count of the same files: ${scan.toFixed(2)} s (median of ${scans.length}, ${scans
    .map((s) => s.seconds.toFixed(2))
    .join(' / ')}), ${fmt(big.records / scan)} records/s [CPU ${scanCpu.toFixed(1)} s]`,
);
const analyzeRatio = analyze / scan;
say(
  `waftune analyze: ${analyze.toFixed(2)} s, ${fmt(big.records / analyze)} records/s, ${big.suggestions} suggestions: ` +
    `${analyzeRatio.toFixed(2)}x the scan (target <= 3x: ${analyzeRatio <= 3 ? 'met' : 'NOT met'}) ${cpu(analyzeCpu)}`,
);
say(
  `JavaScript's parse floor (gunzip, split and JSON.parse of every record on analyze's ${defaultWorkers(full.files)} worker threads, nothing else): ` +
    `${floor.seconds.toFixed(2)} s, ${(floor.seconds / scan).toFixed(2)}x the scan: no reader that parses each record in JavaScript comes under it; ` +
    `analyze spends ${(analyze - floor.seconds).toFixed(2)} s beyond it ${cpu(floor.cpuSeconds)}`,
);
if (floor.records !== big.records) {
  say(`  check FAILED: the parse floor read ${floor.records} records, analyze ${big.records}`);
  process.exitCode = 1;
}
if (fast && smallFast) {
  say(
    `waftune analyze, fast reader (SQL for the records no rule matched; not the default): ${fast.seconds.toFixed(2)} s, ` +
      `${(fast.seconds / scan).toFixed(2)}x the scan, ${(fast.seconds / analyze).toFixed(2)} of analyze's time, ${fast.suggestions} suggestions; ` +
      `peak memory ${smallFast.maxRssMiB.toFixed(0)} MiB at 1x, ${fast.maxRssMiB.toFixed(0)} MiB at 4x (${(fast.maxRssMiB / smallFast.maxRssMiB).toFixed(2)}x) ${cpu(fast.cpuSeconds)}`,
  );
  if (fast.suggestions !== big.suggestions || fast.records !== big.records) {
    say(`  check FAILED: the fast reader gave ${fast.records} events and ${fast.suggestions} suggestions`);
    process.exitCode = 1;
  }
}
if (jqRuns.length > 0) {
  const byHand = median(jqRuns.map((r) => r.seconds));
  const byHandCpu = median(jqRuns.map((r) => r.cpuSeconds));
  const problems = compareTopRules((jqRuns[0] as { rows: TopRule[] }).rows, big.topRules);
  say(
    `zcat | jq | sort | uniq -c (top rules by hand, ${jq}): ${byHand.toFixed(2)} s: ${(byHand / scan).toFixed(2)}x the scan; ` +
      `the jq pipeline takes ${(byHand / analyze).toFixed(2)}x analyze's time (target: analyze >= 3x faster, i.e. >= 3: ${byHand / analyze >= 3 ? 'met' : 'NOT met'}) ${cpu(byHandCpu)}`,
  );
  say(
    problems.length === 0
      ? `  check: the jq table gives exactly waftune's top ${big.topRules.length} rules and counts`
      : `  check FAILED: the jq table and waftune's top rules differ: ${problems.slice(0, 5).join('; ')}`,
  );
  if (problems.length > 0) process.exitCode = 1;
} else {
  say(
    `zcat | jq: not measured: ${jq ? '' : 'jq is not installed (apt-get install jq) '}${zcat ? '' : 'zcat is not installed (apt-get install gzip)'}`.trim(),
  );
}
const peak1x = median(smalls.map((m) => m.maxRssMiB));
const peak4x = median(analyses.map((m) => m.maxRssMiB));
const memoryRatio = peak4x / peak1x;
const ofRuns = (ms: readonly ChildMeasure[]) =>
  ms.length > 1 ? ` (median of ${ms.length}: ${ms.map((m) => m.maxRssMiB.toFixed(0)).join(' / ')})` : '';
say(
  `peak memory of analyze: ${peak1x.toFixed(0)} MiB at 1x${ofRuns(smalls)} (${fmt(small.records)} records), ` +
    `${peak4x.toFixed(0)} MiB at ${(big.records / small.records).toFixed(1)}x${ofRuns(analyses)} (${fmt(big.records)} records): ` +
    `${memoryRatio.toFixed(2)}x (goal <= 1.1x: ${memoryRatio <= 1.1 ? 'met' : 'NOT met'})`,
);
if (large) {
  say(
    `  and at 16x (the 4x files four times over, ${fmt(large.records)} records): ${large.maxRssMiB.toFixed(0)} MiB, ` +
      `${(large.maxRssMiB / peak1x).toFixed(2)}x the 1x peak, in ${large.seconds.toFixed(2)} s (${(large.seconds / analyze).toFixed(2)}x the 4x run's time)`,
  );
  if (large.records !== 4 * big.records) {
    say(`  check FAILED: 16x read ${large.records} records, not 4 x ${big.records}`);
    process.exitCode = 1;
  }
}

const t = spawnSync(process.execPath, ['--import', 'tsx', transformBench], {
  encoding: 'utf8',
  maxBuffer: 16 << 20,
});
if (t.status !== 0) throw new Error(`transform bench failed: ${t.stderr}`);
const transformLines = t.stdout.trim().split('\n');
const transform = JSON.parse(transformLines.pop() ?? '{}') as { ratio: number };
for (const line of transformLines) say(line);
say(
  `load average at the end: ${load()}; ${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min in all`,
);
say(
  JSON.stringify({
    at: startedAt.toISOString(),
    loadAverage: { start: loadAtStart, end: load() },
    records: big.records,
    scanSeconds: scan,
    analyzeSeconds: analyze,
    cpuSeconds: {
      scan: scanCpu,
      analyze: analyzeCpu,
      parseFloor: floor.cpuSeconds,
      jq: jqRuns.length ? median(jqRuns.map((r) => r.cpuSeconds)) : null,
    },
    analyzeRatio: Number(analyzeRatio.toFixed(2)),
    parseFloorRatio: Number((floor.seconds / scan).toFixed(2)),
    jqSeconds: jqRuns.length ? median(jqRuns.map((r) => r.seconds)) : null,
    jqRatio: jqRuns.length ? Number((median(jqRuns.map((r) => r.seconds)) / scan).toFixed(2)) : null,
    peakRssMiB: {
      x1: Math.round(peak1x),
      x4: Math.round(peak4x),
      ratio: Number(memoryRatio.toFixed(2)),
      x16: large ? Math.round(large.maxRssMiB) : null,
    },
    transformRatio: transform.ratio,
  }),
);
