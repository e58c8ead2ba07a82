import { z } from 'zod';
import { loggingStateSchema, runSummarySchema } from './change.js';
import { ruleDiffSchema } from './plan.js';

/**
 * What `waftune connect --json` prints (schemas/json/connect.schema.json): per web ACL what
 * connect does to its logging and whether the evidence rules go at the top, then the change it
 * made. cli/commands/connect.ts writes it.
 */

export const connectStepSchema = z.object({
  acl: z.object({ name: z.string(), arn: z.string() }),
  action: z
    .enum(['enable', 'update', 'unchanged', 'skip'])
    .describe(
      '`enable`: logging was off; `update`: logging to the stream with another filter or redaction, or taken over from another destination (--replace); `unchanged`: already connected; `skip`: left alone, `reason` says why (logs go elsewhere without --replace, Firewall Manager owns the logging, the stream is in another region or account)',
    ),
  reason: z.string().describe('Why skipped, or what changes'),
  request: loggingStateSchema
    .nullable()
    .describe(
      'The LoggingConfiguration sent (or, with --dry-run, to send) to PutLoggingConfiguration; null for unchanged and skip',
    ),
  evidence: z.object({
    action: z
      .enum(['add', 'in-place', 'refused', 'not-logging', 'off', 'failed'])
      .describe(
        "waftune's evidence rules (Count rules labelling logged-in, shopping, commenting and authorised requests) at the top of the web ACL. `add`: they go in; `in-place`: already there; `refused`: over the WCU limit; `not-logging`: the step is skipped, so no rule either; `off`: --no-evidence; `failed`: the web ACL could not be read",
      ),
    reason: z.string().optional(),
    diff: z.array(ruleDiffSchema).describe('For add and refused: the rules before -> after'),
    wcuBefore: z.number().optional(),
    wcuAfter: z.number().optional(),
  }),
});
export type ConnectStepJson = z.infer<typeof connectStepSchema>;

export const connectOutputSchema = z.object({
  dryRun: z.boolean().describe('--dry-run: nothing was changed, `change` is null'),
  stream: z.string().describe('--stream as given: a delivery stream ARN, or with a fleet file its name'),
  scope: z.enum(['REGIONAL', 'CLOUDFRONT']),
  steps: z.array(connectStepSchema).describe('Every web ACL found (fleet runs: of every account and region)'),
  missing: z.array(z.string()).describe('Names given with --acl that no web ACL has'),
  failed: z
    .array(z.object({ acl: z.string().describe("The web ACL's name"), error: z.string() }))
    .describe('Web ACLs whose logging or evidence rules could not be written (refused or failed)'),
  accounts: z
    .array(
      z.object({
        account: z.string(),
        accountName: z.string(),
        region: z.string(),
        stream: z.string().describe('The delivery stream ARN in this account and region'),
        steps: z.array(connectStepSchema),
        error: z.string().nullable().describe('Listing the web ACLs here failed'),
      }),
    )
    .optional()
    .describe('Fleet runs only: each reachable account and region'),
  unavailable: z
    .array(z.object({ account: z.string(), accountName: z.string(), reason: z.string() }))
    .optional()
    .describe('Fleet runs only: the accounts that could not be reached (nothing was done there)'),
  change: runSummarySchema
    .nullable()
    .describe('The connect as recorded; null for --dry-run or when nothing was to change'),
});
export type ConnectOutput = z.infer<typeof connectOutputSchema>;
