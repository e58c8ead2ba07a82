import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
    const { writeFileSync } = await import('node:fs');
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
