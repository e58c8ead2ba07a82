import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the files that ship beside the code live (`queries/`): the nearest folder above this
 * module that holds them. One answer for every layout the code runs in: a clone (`src/`), the
 * compiled package (`dist/src/`, the assets at the package root) and a Lambda bundle
 * (`functions/<name>/handler.mjs`, the assets packaged beside `functions/`).
 */
export function assetDir(name: string, from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, name);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dirname(dir) === dir) throw new Error(`waftune's ${name}/ folder is missing (looked above ${from})`);
  }
}
