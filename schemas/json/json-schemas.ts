import { z } from 'zod';
import { alertSchema } from '../alert.js';
import { applyOutputSchema } from '../apply.js';
import { changeListSchema, changeRecordSchema, runSummarySchema } from '../change.js';
import { configSchema } from '../config.js';
import { connectOutputSchema } from '../connect.js';
import { digestDataSchema } from '../digest.js';
import { expireOutputSchema } from '../expire.js';
import { planOutputSchema } from '../plan.js';
import { reportSchema } from '../report.js';
import { rollbackOutputSchema } from '../rollback.js';
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
  {
    file: 'run.schema.json',
    title: 'waftune change made',
    description:
      'the `change` member of `waftune apply --json`, `rollback --json`, `expire --json` and `connect --json`: the change just made, target by target',
    schema: runSummarySchema,
    io: 'output',
  },
  {
    file: 'apply.schema.json',
    title: 'waftune apply',
    description:
      '`waftune apply --json`: the plan and the change made, or (`--resume` of a change that left nothing undone) why nothing was done',
    schema: applyOutputSchema,
    io: 'output',
  },
  {
    file: 'rollback.schema.json',
    title: 'waftune rollback',
    description:
      '`waftune rollback <change-id> --json`: what the rollback does to each target of the change, and the change it made',
    schema: rollbackOutputSchema,
    io: 'output',
  },
  {
    file: 'expire.schema.json',
    title: 'waftune expire',
    description:
      '`waftune expire --json`: the IP blocks past their expiry per IP set, those still running, and the change that removed them',
    schema: expireOutputSchema,
    io: 'output',
  },
  {
    file: 'connect.schema.json',
    title: 'waftune connect',
    description:
      "`waftune connect --json`: each web ACL's logging to the stream and waftune's evidence rules, and the change made",
    schema: connectOutputSchema,
    io: 'output',
  },
];

export function jsonSchemaText(p: Published): string {
  const schema = z.toJSONSchema(p.schema, { target: 'draft-2020-12', io: p.io, unrepresentable: 'any' });
  const { $schema, ...rest } = schema;
  return `${JSON.stringify({ $schema, title: p.title, description: p.description, ...rest }, null, 2)}\n`;
}
