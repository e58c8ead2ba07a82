import { z } from 'zod';
import { changeTargetSchema, runSummarySchema } from './change.js';
import { ruleDiffSchema } from './plan.js';

/**
 * What `waftune rollback <change-id> --json` prints (schemas/json/rollback.schema.json): per
 * target of the change, what the rollback does or why it does not, then the change the rollback
 * made. src/waf/render.ts `rollbackPlanJson` writes the plan.
 */

const addressDiffSchema = z.object({
  add: z.array(z.string()).describe('Addresses the rollback puts back in the IP set'),
  remove: z.array(z.string()).describe('Addresses the rollback takes out of the IP set'),
});

export const rollbackItemSchema = z.object({
  target: changeTargetSchema,
  action: z
    .enum(['restore', 'delete', 'already', 'conflict', 'failed'])
    .describe(
      '`restore`: put back the state from before the change; `delete`: remove what the change created; `already`: it is as it was before the change; `conflict`: it changed since the change, and rolling back would undo that edit, so it is left alone; `failed`: it could not be read',
    ),
  reason: z.string().nullable(),
  changes: z.array(ruleDiffSchema).describe('Web ACLs: the rules now -> the rules before the change'),
  addresses: addressDiffSchema.nullable().describe('IP sets: the addresses now -> before the change'),
  since: z
    .object({
      diff: z.array(ruleDiffSchema).describe("Web ACLs: the change's result -> the rules now"),
      addressDiff: addressDiffSchema.optional().describe("IP sets: the change's result -> the addresses now"),
      laterChanges: z
        .array(z.string())
        .describe(
          'Later waftune changes of this target (roll them back first); empty: edited outside waftune',
        ),
    })
    .nullable()
    .describe('For a conflict: what changed since the change'),
});

export const rollbackPlanSchema = z.object({
  changeId: z.string().describe('The change being rolled back'),
  items: z.array(rollbackItemSchema).describe('In the order the rollback takes them'),
});
export type RollbackPlanJson = z.infer<typeof rollbackPlanSchema>;

export const rollbackOutputSchema = z.object({
  plan: rollbackPlanSchema,
  change: runSummarySchema
    .nullable()
    .describe(
      'The rollback as recorded; null when nothing was rolled back (nothing to do, or not confirmed)',
    ),
  error: z.string().optional().describe('Why nothing was rolled back (e.g. no --yes without a terminal)'),
});
export type RollbackOutput = z.infer<typeof rollbackOutputSchema>;
