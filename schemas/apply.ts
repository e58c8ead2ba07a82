import { z } from 'zod';
import { runSummarySchema } from './change.js';
import { declinedSchema, planOutputSchema } from './plan.js';

/**
 * What `waftune apply --json` prints (schemas/json/apply.schema.json): the plan and the change
 * it made, or, for `apply --resume` of a change that left nothing undone, which change and why
 * nothing was done.
 */

export const applyRunOutputSchema = z.object({
  plan: planOutputSchema.nullable().describe('null when there was no suggestion to apply'),
  change: runSummarySchema
    .nullable()
    .describe(
      'The apply as recorded; null when nothing was applied (nothing to change, not confirmed, or every web ACL failed the same way)',
    ),
  error: z
    .string()
    .optional()
    .describe('Why nothing was applied: one cause for every web ACL, no account reached, or not confirmed'),
  declined: declinedSchema
    .optional()
    .describe(
      'Declined suggestions left out, or taken anyway with --include-declined (absent with --resume)',
    ),
});

export type ApplyRunOutput = z.infer<typeof applyRunOutputSchema>;

export const applyResumeDoneSchema = z.object({
  resumes: z.string().describe('The change `--resume` named'),
  change: z.null(),
  message: z.string().describe('`nothing left to do`: that change left no web ACL undone'),
});

export const applyOutputSchema = z.union([applyRunOutputSchema, applyResumeDoneSchema]);
export type ApplyOutput = z.infer<typeof applyOutputSchema>;
