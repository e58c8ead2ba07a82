import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir`, at any depth. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/**
 * Runs `work` in this process with TMPDIR a new empty folder under `parent`, and gives it what
 * waftune left there (`waftune-*` entries) to check: the process's exit would hide a leak.
 */
export async function withPrivateTmpdir(
  parent: string,
  work: (leftByWaftune: () => string[]) => Promise<void>,
): Promise<void> {
  const tmp = mkdtempSync(join(parent, 'tmp-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    await work(() => readdirSync(tmp).filter((f) => f.startsWith('waftune-')));
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
}
