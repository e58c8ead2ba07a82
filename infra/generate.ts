import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { glueLayoutJson } from './glue-columns.js';

/** Regenerates infra/glue-columns.json from EVENT_COLUMNS (`npm run infra:generate`); a test fails when it drifts. */
const target = join(dirname(fileURLToPath(import.meta.url)), 'glue-columns.json');
writeFileSync(target, glueLayoutJson());
process.stdout.write(`wrote ${target}\n`);
