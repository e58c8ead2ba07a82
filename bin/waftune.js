#!/usr/bin/env node
// The installed command runs the compiled CLI in this process (no child process, no TypeScript
// loader). In a clone, `npm install` builds dist/ (the `prepare` script); `npm run waftune -- ...`
// runs the TypeScript sources instead.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/waftune.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('waftune: dist/ is missing; run `npm run build` (npm install does it in a clone)\n');
  process.exit(1);
}
await import(entry.href);
