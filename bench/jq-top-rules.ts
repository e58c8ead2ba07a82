import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * What a user does by hand to get the report's top-rules table: decompress every file with zcat,
 * pick each request's rule with jq (bench/top-rules.jq, the same choice waftune makes), then sort,
 * uniq -c, sort -rn. Public tools only; the bench says when jq or zcat is missing.
 */

export interface TopRule {
  ruleGroup: string | null;
  ruleId: string | null;
  action: string;
  requests: number;
}

export const JQ_PROGRAM = fileURLToPath(new URL('./top-rules.jq', import.meta.url));

/** The tool's version line, or null when it is not installed. */
export function toolVersion(tool: 'jq' | 'zcat'): string | null {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).split('\n')[0]?.trim() ?? tool;
}

/** The shell pipeline, as a user would type it (DIR quoted). */
export function pipelineFor(dir: string): string {
  const quoted = `'${dir.replaceAll("'", "'\\''")}'`;
  return (
    `find ${quoted} -type f -name '*.gz' -print0 | xargs -0 zcat -f -- ` +
    `| jq -r -f '${JQ_PROGRAM}' | LC_ALL=C sort | LC_ALL=C uniq -c | LC_ALL=C sort -rn`
  );
}

/** Runs the pipeline over `dir`; every rule's count, most first. */
export function runJqTopRules(dir: string): { seconds: number; cpuSeconds: number; rows: TopRule[] } {
  const started = performance.now();
  // bash's `times` prints the CPU its children used (user and system), after the table.
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `${pipelineFor(dir)} && echo '#times' && times`], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`the jq pipeline failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  const [table = '', times = ''] = r.stdout.split('#times\n');
  return { seconds, cpuSeconds: childCpuSeconds(times), rows: parseUniqCounts(table) };
}

/** The children's line of bash's `times` (`0m1.234s 0m0.567s`, the second line): user + system. */
function childCpuSeconds(times: string): number {
  const line = times.trim().split('\n')[1] ?? '';
  let total = 0;
  for (const m of line.matchAll(/(\d+)m([\d.]+)s/g)) total += Number(m[1]) * 60 + Number(m[2]);
  return total;
}

/** `uniq -c` lines of `group<TAB>rule<TAB>action` ("-" for none). */
export function parseUniqCounts(text: string): TopRule[] {
  const rows: TopRule[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [group = '-', rule = '-', action = ''] = (m[2] ?? '').split('\t');
    rows.push({
      ruleGroup: group === '-' ? null : group,
      ruleId: rule === '-' ? null : rule,
      action,
      requests: Number(m[1]),
    });
  }
  return rows;
}

const key = (r: Pick<TopRule, 'ruleGroup' | 'ruleId' | 'action'>) =>
  JSON.stringify([r.ruleGroup, r.ruleId, r.action]);

/**
 * Whether waftune's top rules are the head of the hand-made table: each of waftune's rows has the
 * same count there, and no rule left out of waftune's table has more requests than its last row.
 */
export function compareTopRules(byHand: readonly TopRule[], waftune: readonly TopRule[]): string[] {
  const counts = new Map(byHand.map((r) => [key(r), r.requests]));
  const problems: string[] = [];
  for (const w of waftune) {
    const n = counts.get(key(w));
    if (n !== w.requests) problems.push(`${key(w)}: waftune ${w.requests}, jq ${n ?? 'absent'}`);
  }
  const listed = new Set(waftune.map(key));
  const floor = Math.min(...waftune.map((w) => w.requests));
  for (const r of byHand) {
    if (!listed.has(key(r)) && r.requests > floor)
      problems.push(`${key(r)}: ${r.requests} requests by jq, missing from waftune's top ${waftune.length}`);
  }
  return problems;
}
