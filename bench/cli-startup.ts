import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run bench` (startup part): how long `waftune --help` takes as a whole process, beside a bare
 * `node -e ''` and beside the CLI as it was before it was compiled (commit cec919c, the last bin
 * that ran tsx in a child process; WAFTUNE_BENCH_BASE names another), all in the same run,
 * interleaved so machine load hits each alike. Peak memory comes from GNU time. Target (issue 12):
 * under half the time of before.
 */

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.WAFTUNE_BENCH_RUNS ?? 15);
const TIME = '/usr/bin/time';

interface Sample {
  seconds: number;
  maxRssKiB: number | null;
}

function once(args: string[]): Sample {
  const withTime = existsSync(TIME);
  const cmd = withTime ? TIME : process.execPath;
  const argv = withTime ? ['-f', '%M', process.execPath, ...args] : args;
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const rss = withTime ? Number(r.stderr.trim().split('\n').pop()) : Number.NaN;
  return { seconds, maxRssKiB: Number.isFinite(rss) ? rss : null };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** The last CLI before it was compiled, in a temporary folder sharing this tree's node_modules. */
const BEFORE_COMPILED = 'cec919c';

function previousCli(): { dir: string; bin: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'waftune-bench-before-'));
  const base = process.env.WAFTUNE_BENCH_BASE ?? BEFORE_COMPILED;
  const archive = spawnSync('sh', ['-c', `git -C "${ROOT}" archive ${base} | tar -x -C "${dir}"`]);
  if (archive.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, bin: join(dir, 'bin', 'waftune.js') };
}

if (!existsSync(join(ROOT, 'dist', 'cli', 'waftune.js'))) throw new Error('run `npm run build` first');
const before = previousCli();
const subjects: Array<{ name: string; args: string[] }> = [
  { name: "node -e '' (baseline)", args: ['-e', ''] },
  { name: 'waftune --help (compiled, this tree)', args: [join(ROOT, 'bin', 'waftune.js'), '--help'] },
  { name: 'waftune --version (compiled, this tree)', args: [join(ROOT, 'bin', 'waftune.js'), '--version'] },
  ...(before ? [{ name: 'waftune --help (before: tsx child process)', args: [before.bin, '--help'] }] : []),
];
const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]));
try {
  for (const s of subjects) once(s.args); // warm the file cache
  for (let i = 0; i < RUNS; i++) for (const s of subjects) samples.get(s.name)?.push(once(s.args));
} finally {
  if (before) rmSync(before.dir, { recursive: true, force: true });
}

const rows = subjects.map((s) => {
  const xs = samples.get(s.name) ?? [];
  const rss = xs.map((x) => x.maxRssKiB).filter((x): x is number => x !== null);
  return {
    name: s.name,
    median: median(xs.map((x) => x.seconds)),
    min: Math.min(...xs.map((x) => x.seconds)),
    rssMiB: rss.length ? median(rss) / 1024 : null,
  };
});
const width = Math.max(...rows.map((r) => r.name.length));
process.stdout.write(`\nCLI startup, ${RUNS} runs each, interleaved (median, min, peak RSS)\n`);
for (const r of rows) {
  process.stdout.write(
    `  ${r.name.padEnd(width)}  ${r.median.toFixed(3)} s  (min ${r.min.toFixed(3)} s)${r.rssMiB === null ? '' : `  ${r.rssMiB.toFixed(0)} MiB`}\n`,
  );
}
const node = rows[0];
const now = rows[1];
const old = rows.find((r) => r.name.includes('before'));
if (node && now && old) {
  const ratio = now.median / old.median;
  const net = (now.median - node.median) / (old.median - node.median);
  process.stdout.write(
    `  --help now takes ${ratio.toFixed(2)}x the time of before (target < 0.5: ${ratio < 0.5 ? 'met' : 'NOT met'}); ` +
      `above bare node: ${(now.median - node.median).toFixed(3)} s against ${(old.median - node.median).toFixed(3)} s (${net.toFixed(2)}x)\n`,
  );
} else
  process.stdout.write(
    `  (no CLI from before to compare with: ${BEFORE_COMPILED} is not in this clone; set WAFTUNE_BENCH_BASE to a commit)\n`,
  );
