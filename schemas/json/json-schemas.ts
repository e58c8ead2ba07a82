import { z } from 'zod';
import { alertSchema } from '../alert.js';
import { changeListSchema, changeRecordSchema } from '../change.js';
import { configSchema } from '../config.js';
import { digestDataSchema } from '../digest.js';
import { planOutputSchema } from '../plan.js';
import { reportSchema } from '../report.js';
import { suggestionSetSchema } from '../suggestion.js';

/**
 * The JSON Schemas waftune publishes for its JSON (schemas/json/*.schema.json), generated from the
 * zod contracts with zod's own `z.toJSONSchema`, so they cannot drift: `npm run schemas:generate`
 * writes them, and a test holds the committed files to what this produces.
 */

interface Published {
  file: string;
  title: string;
  description: string;
  schema: z.ZodType;
  /** `input` for what waftune reads (defaults make members optional), `output` for what it writes. */
  io: 'input' | 'output';
}

export const PUBLISHED: readonly Published[] = [
  {
    file: 'suggestion-set.schema.json',
    title: 'waftune suggestion set',
    description: '`waftune suggest --json`, <state-dir>/suggestions.json, and what plan and apply read',
    schema: suggestionSetSchema,
    io: 'output',
  },
  {
    file: 'plan.schema.json',
    title: 'waftune plan',
    description: '`waftune plan --json`, and the `plan` member of `waftune apply --json`',
    schema: planOutputSchema,
    io: 'output',
  },
  {
    file: 'report.schema.json',
    title: 'waftune report',
    description: '`waftune analyze --json`',
    schema: reportSchema,
    io: 'output',
  },
  {
    file: 'config.schema.json',
    title: 'waftune configuration',
    description: 'the file given to --config',
    schema: configSchema,
    io: 'input',
  },
  {
    file: 'digest.schema.json',
    title: 'waftune digest data',
    description: 'the `digest` member of `waftune digest --json`',
    schema: digestDataSchema,
    io: 'output',
  },
  {
    file: 'alert.schema.json',
    title: 'waftune alert',
    description: 'each of the `alerts` of a `waftune watch --json` line',
    schema: alertSchema,
    io: 'output',
  },
  {
    file: 'change-list.schema.json',
    title: 'waftune change history',
    description: '`waftune changes --json`: every change, oldest first, without its entries',
    schema: changeListSchema,
    io: 'output',
  },
  {
    file: 'change.schema.json',
    title: 'waftune change',
    description:
      '`waftune changes <change-id> --json`: one apply, rollback, expire or connect with the state before and after of each target',
    schema: changeRecordSchema,
    io: 'output',
  },
];

export function jsonSchemaText(p: Published): string {
  const schema = z.toJSONSchema(p.schema, { target: 'draft-2020-12', io: p.io, unrepresentable: 'any' });
  const { $schema, ...rest } = schema;
  return `${JSON.stringify({ $schema, title: p.title, description: p.description, ...rest }, null, 2)}\n`;
}
