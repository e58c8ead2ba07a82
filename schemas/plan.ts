import { z } from 'zod';

/**
 * What `waftune plan --json` prints (and `apply --json` under `plan`): per IP set and per web ACL
 * what apply would do, with the WCU, the rule diff and, for a web ACL that changes, its rules
 * after the change in the WAFv2 API's JSON (blobs as base64). src/waf/render.ts `planJson` writes
 * it; a test holds the two together.
 */

const addressItemSchema = z.object({
  address: z.string(),
  expiresAt: z.string(),
  suggestionId: z.string(),
});

const ipSetPlanSchema = z.object({
  name: z.string(),
  scope: z.enum(['REGIONAL', 'CLOUDFRONT']),
  region: z.string(),
  /** Fleet runs only: the account and its name in the fleet file. */
  account: z.string().optional(),
  accountName: z.string().optional(),
  arn: z.string().nullable(),
  status: z.enum(['create', 'update', 'extend', 'unchanged', 'refused', 'failed']),
  reason: z.string().nullable(),
  currentCount: z.number().int().nonnegative(),
  add: z.array(addressItemSchema),
  /** Already blocked; a later expiry is recorded in the change history. */
  extend: z.array(addressItemSchema),
});

const outcomeSchema = z.looseObject({
  suggestionId: z.string(),
  status: z.enum(['changed', 'unchanged', 'refused']),
  reason: z.string().optional(),
});

/** One rule added, removed or changed, with its description's lines marked (` `, `+`, `-`). */
export const ruleDiffSchema = z.object({
  op: z.enum(['add', 'remove', 'change']),
  name: z.string(),
  priorityBefore: z.number().int().optional(),
  priorityAfter: z.number().int().optional(),
  lines: z.array(z.object({ op: z.enum([' ', '+', '-']), text: z.string() })),
});

/** A WAFv2 rule as the API has it (Name, Priority, Statement, Action or OverrideAction, VisibilityConfig, ...). */
const wafRuleSchema = z.looseObject({
  Name: z.string(),
  Priority: z.number().int(),
  Statement: z.record(z.string(), z.unknown()),
});

const webAclPlanSchema = z.object({
  name: z.string(),
  arn: z.string(),
  scope: z.enum(['REGIONAL', 'CLOUDFRONT']),
  region: z.string(),
  /** Fleet runs only: the account and its name in the fleet file. */
  account: z.string().optional(),
  accountName: z.string().optional(),
  status: z.enum(['change', 'unchanged', 'refused', 'failed']),
  reason: z.string().nullable(),
  wcu: z.object({
    before: z.number().nullable(),
    after: z.number().nullable(),
    /** The after figure counts an IP set apply will create, so it was not asked of WAF. */
    estimated: z.boolean(),
  }),
  outcomes: z.array(outcomeSchema),
  /** Where a CDN is in front: blocked addresses also match by this forwarded-address header here. */
  forwardedIp: z.array(
    z.object({
      ipVersion: z.enum(['IPV4', 'IPV6']),
      headerName: z.string(),
      position: z.enum(['FIRST', 'LAST', 'ANY']),
      fallbackBehavior: z.enum(['MATCH', 'NO_MATCH']),
    }),
  ),
  changes: z.array(ruleDiffSchema),
  /** Present when status is `change`. */
  rulesAfter: z.array(wafRuleSchema).optional(),
});

/** Declined suggestions left out, or taken anyway with --include-declined. */
export const declinedSchema = z.array(
  z.looseObject({ suggestionId: z.string(), included: z.boolean(), decision: z.unknown() }),
);

export const planOutputSchema = z.object({
  version: z.literal(1),
  suggestions: z.array(z.string()),
  maxWcu: z.number().int().positive(),
  ipSets: z.array(ipSetPlanSchema),
  webAcls: z.array(webAclPlanSchema),
  /** Parts of suggestions that cannot be applied anywhere (a bad or allowlisted address, an unknown web ACL). */
  skipped: z.array(z.object({ suggestionId: z.string(), reason: z.string() })),
  problems: z.array(z.string()),
  /** What the change asks of Firewall Manager policies (web ACLs a policy owns), one entry per policy change. */
  firewallManager: z.array(z.looseObject({})),
  /** Declined suggestions left out, or taken anyway with --include-declined (plan --json only). */
  declined: declinedSchema.optional(),
  summary: z.object({
    change: z.number().int().nonnegative(),
    unchanged: z.number().int().nonnegative(),
    refused: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
});
export type PlanOutput = z.infer<typeof planOutputSchema>;
export type Declined = z.infer<typeof declinedSchema>;
