import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * A JSON Schema validator (Ajv, draft 2020-12) over one of the published schemas/json/*.schema.json
 * files, the way a user's script would check waftune's JSON: not the zod contract they come from.
 * The result is the validator's errors, empty when the value is valid.
 */
export function publishedSchema(file: string): (value: unknown) => string[] {
  const schema = JSON.parse(readFileSync(new URL(`../../schemas/json/${file}`, import.meta.url), 'utf8'));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  return (value) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
