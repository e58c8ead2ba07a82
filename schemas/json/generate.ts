import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaText, PUBLISHED } from './json-schemas.js';

// `npm run schemas:generate`: writes schemas/json/*.schema.json from the zod contracts.
for (const p of PUBLISHED) {
  writeFileSync(join(import.meta.dirname, p.file), jsonSchemaText(p));
  process.stdout.write(`wrote schemas/json/${p.file}\n`);
}
