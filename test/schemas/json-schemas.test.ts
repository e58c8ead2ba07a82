import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaText, PUBLISHED } from '../../schemas/json/json-schemas.js';

const DIR = join(import.meta.dirname, '..', '..', 'schemas', 'json');

describe('published JSON Schemas (schemas/json/)', () => {
  it('are exactly what z.toJSONSchema makes of the zod contracts (npm run schemas:generate)', () => {
    for (const p of PUBLISHED)
      expect(readFileSync(join(DIR, p.file), 'utf8'), p.file).toBe(jsonSchemaText(p));
    const committed = readdirSync(DIR).filter((f) => f.endsWith('.schema.json'));
    expect(committed.sort()).toEqual(PUBLISHED.map((p) => p.file).sort());
  });

  it('describe the contracts: a suggestion is a rule-override or an ip-block; config keys are closed', () => {
    const set = JSON.parse(readFileSync(join(DIR, 'suggestion-set.schema.json'), 'utf8'));
    expect(set.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const kinds = JSON.stringify(set.properties.suggestions);
    expect(kinds).toContain('"rule-override"');
    expect(kinds).toContain('"ip-block"');
    const config = JSON.parse(readFileSync(join(DIR, 'config.schema.json'), 'utf8'));
    expect(config.additionalProperties).toBe(false);
    expect(Object.keys(config.properties)).toEqual(
      expect.arrayContaining(['allowlist', 'ipBlock', 'override']),
    );
  });
});
