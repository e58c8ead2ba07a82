import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFleet } from '../fixtures/generator/index.js';

export const DATA_DIR = join(import.meta.dirname, '.data');

/** A generated fleet of `scale` demo days, written once and reused by later runs. */
export async function fleetData(
  name: string,
  scale: number,
  days = 1,
): Promise<{ dir: string; bytes: number; files: number; paths: string[] }> {
  const dir = join(DATA_DIR, name);
  const done = join(dir, '.complete');
  if (!existsSync(done)) {
    process.stderr.write(`generating ${name} (scale ${scale}, ${days} day(s))...\n`);
    await writeFleet(join(dir, 'logs'), { seed: 99, day: '2026-09-01', scale, days });
    writeFileSync(done, new Date().toISOString());
  }
  let bytes = 0;
  let files = 0;
  const paths: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith('.')) {
        bytes += statSync(p).size;
        files++;
        paths.push(p);
      }
    }
  };
  walk(join(dir, 'logs'));
  return { dir: join(dir, 'logs'), bytes, files, paths };
}

/**
 * `times` copies of a fleet's files side by side (hard links where the file system allows, else
 * copies): a larger input for peak memory, with the same records, so every figure but memory and
 * time scales. Generating a larger fleet takes longer than the benchmark itself.
 */
export function repeatedFleet(
  source: { dir: string; paths: readonly string[] },
  name: string,
  times: number,
): { dir: string; files: number } {
  const dir = join(DATA_DIR, name, 'logs');
  const done = join(DATA_DIR, name, '.complete');
  if (!existsSync(done)) {
    rmSync(join(DATA_DIR, name), { recursive: true, force: true });
    for (let copy = 0; copy < times; copy++) {
      for (const p of source.paths) {
        const to = join(dir, `copy-${copy}`, relative(source.dir, p));
        mkdirSync(dirname(to), { recursive: true });
        try {
          linkSync(p, to);
        } catch {
          copyFileSync(p, to);
        }
      }
    }
    writeFileSync(done, new Date().toISOString());
  }
  return { dir, files: source.paths.length * times };
}
