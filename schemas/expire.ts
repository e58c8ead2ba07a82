import { z } from 'zod';
import { runSummarySchema } from './change.js';

/**
 * What `waftune expire --json` prints (schemas/json/expire.schema.json): per waftune IP set the
 * blocks past their expiry (the change history says when each ends), the blocks still running,
 * then the change that removed the expired ones. src/waf/render.ts `expiryPlanJson` writes the plan.
 */

const placeShape = {
  scope: z.enum(['REGIONAL', 'CLOUDFRONT']),
  region: z.string(),
  account: z.string().optional().describe('Fleet runs only: the AWS account of the IP set'),
  accountName: z.string().optional().describe("Fleet runs only: the account's name in the fleet file"),
};

export const expirySetSchema = z.object({
  name: z.string(),
  ...placeShape,
  status: z
    .enum(['remove', 'nothing', 'failed'])
    .describe(
      '`remove`: expired addresses are still in the set; `nothing`: none is (or the set is gone); `failed`: the set could not be read (or its account reached)',
    ),
  reason: z.string().nullable(),
  expired: z
    .array(
      z.object({
        address: z.string(),
        expiresAt: z.string(),
        suggestionId: z.string(),
        changeId: z.string().describe('The change that blocked it'),
      }),
    )
    .describe('Blocks past their expiry and still in the set (as recorded, when the set could not be read)'),
});

export const expiryPlanSchema = z.object({
  now: z.string().describe('The time the blocks were compared with (ISO 8601)'),
  sets: z.array(expirySetSchema),
  upcoming: z
    .array(
      z.object({
        address: z.string(),
        expiresAt: z.string(),
        set: z.string().describe("The IP set's name"),
        ...placeShape,
      }),
    )
    .describe('Blocks not yet expired, soonest first'),
});
export type ExpiryPlanJson = z.infer<typeof expiryPlanSchema>;

export const expireOutputSchema = z.object({
  plan: expiryPlanSchema,
  change: runSummarySchema
    .nullable()
    .describe('The removal as recorded; null when nothing was removed (nothing expired, or not confirmed)'),
  error: z.string().optional().describe('Why nothing was removed (e.g. no --yes without a terminal)'),
});
export type ExpireOutput = z.infer<typeof expireOutputSchema>;
