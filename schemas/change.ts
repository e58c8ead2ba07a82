import { z } from 'zod';
import { suggestionSchema } from './suggestion.js';

/**
 * The change history's records (src/waf/audit.ts keeps and reads them): every apply, rollback,
 * expire and connect is one change, a header, one entry per web ACL, IP set or logging
 * configuration it touched (the state before and after), and a summary once it ends. `waftune
 * changes --json` prints these (schemas/json/change.schema.json, change-list.schema.json).
 */

const webAclStateSchema = z.looseObject({
  Name: z.string(),
  Id: z.string(),
  ARN: z.string(),
  Rules: z.array(z.looseObject({ Name: z.string(), Priority: z.number() })).optional(),
});
const ipSetStateSchema = z.object({ addresses: z.array(z.string()) });
/** A web ACL's LoggingConfiguration in the WAFv2 API's JSON. */
export const loggingStateSchema = z.looseObject({
  ResourceArn: z.string(),
  LogDestinationConfigs: z.array(z.string()),
});

export const actorSchema = z.object({
  user: z.string(),
  host: z.string().optional(),
  profile: z.string().optional(),
});
export type Actor = z.infer<typeof actorSchema>;

export const changeTargetSchema = z.object({
  /** `logging`: a web ACL's logging configuration (name, id and ARN are the web ACL's). */
  type: z.enum(['web-acl', 'ip-set', 'logging']),
  name: z.string(),
  id: z.string(),
  arn: z.string(),
  scope: z.enum(['REGIONAL', 'CLOUDFRONT']),
  region: z.string(),
  version: z.enum(['IPV4', 'IPV6']).optional(),
  /** The AWS account (fleet runs; absent: the default credentials' account). */
  account: z.string().optional(),
  accountName: z.string().optional(),
});
export type ChangeTarget = z.infer<typeof changeTargetSchema>;

export const ipBlockRecordSchema = z.object({
  address: z.string(),
  expiresAt: z.string(),
  suggestionId: z.string(),
  /** Already in the set before this change (only extends an expiry waftune already tracks). */
  alreadyPresent: z.boolean().optional(),
});
export type IpBlockRecord = z.infer<typeof ipBlockRecordSchema>;

export const policyChangeSchema = z.object({
  stage: z.enum(['pre', 'post']),
  policy: z.string().nullable(),
  ruleGroupName: z.string(),
  ruleGroup: z.string(),
  ruleId: z.string(),
  key: z.enum(['preProcessRuleGroups', 'postProcessRuleGroups']),
  entry: z.record(z.string(), z.unknown()),
  labelRule: z.enum(['account', 'policy']),
  policyRule: z.unknown().optional(),
});

export const entryStatusSchema = z.enum(['applied', 'unchanged', 'refused', 'failed']);
export type EntryStatus = z.infer<typeof entryStatusSchema>;

export const changeEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string(),
  target: changeTargetSchema,
  status: entryStatusSchema,
  reason: z.string().optional(),
  attempts: z.number().int().optional(),
  suggestionIds: z.array(z.string()),
  outcomes: z
    .array(
      z.object({
        suggestionId: z.string(),
        status: z.enum(['changed', 'unchanged', 'refused']),
        reason: z.string().optional(),
        /** What the Firewall Manager policy must change (waftune never writes it). */
        policyChange: policyChangeSchema.optional(),
      }),
    )
    .optional(),
  /**
   * Web ACL: the whole WebACL as read. IP set: its addresses. Logging: the LoggingConfiguration.
   * null when it did not exist.
   */
  before: z.union([webAclStateSchema, ipSetStateSchema, loggingStateSchema, z.null()]).optional(),
  after: z.union([webAclStateSchema, ipSetStateSchema, loggingStateSchema, z.null()]).optional(),
  lockTokenAfter: z.string().optional(),
  wcuBefore: z.number().optional(),
  wcuAfter: z.number().optional(),
  ipBlocks: z.array(ipBlockRecordSchema).optional(),
});
export type ChangeEntry = z.infer<typeof changeEntrySchema>;

/** `connect`: logging turned on, with the evidence rule at the top of each web ACL. */
export const changeKindSchema = z.enum(['apply', 'rollback', 'expire', 'connect']);
export type ChangeKind = z.infer<typeof changeKindSchema>;

export const changeHeaderSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  kind: changeKindSchema,
  createdAt: z.string(),
  actor: actorSchema,
  command: z.array(z.string()).optional(),
  /** The suggestions as applied (the whole suggestion, so the record stands on its own). */
  suggestions: z.array(suggestionSchema),
  /** Web ACL ARNs the run meant to touch (to resume an interrupted run). */
  targets: z.array(z.string()),
  rollbackOf: z.string().optional(),
  resumes: z.string().optional(),
  /** Fleet runs: the accounts it covered, and those it could not reach (to resume them whole). */
  accounts: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        status: z.enum(['reached', 'unavailable']),
        reason: z.string().optional(),
      }),
    )
    .optional(),
});
export type ChangeHeader = z.infer<typeof changeHeaderSchema>;

export const changeSummarySchema = z.object({
  finishedAt: z.string(),
  status: z.enum(['done', 'partial', 'failed']),
  counts: z.object({ applied: z.number(), unchanged: z.number(), refused: z.number(), failed: z.number() }),
});
export type ChangeSummary = z.infer<typeof changeSummarySchema>;

export const changeRecordSchema = z.object({
  header: changeHeaderSchema,
  entries: z.array(changeEntrySchema),
  /** Absent while running, or when the run was interrupted. */
  summary: changeSummarySchema.optional(),
});

/** One line of `waftune changes --json`: a change without its entries. */
export const changeListItemSchema = z.object({
  id: z.string(),
  kind: changeKindSchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** `interrupted`: no summary was written (the run stopped or is still running). */
  status: z.enum(['done', 'partial', 'failed', 'interrupted']),
  actor: actorSchema,
  suggestions: z.array(z.string()),
  counts: changeSummarySchema.shape.counts.nullable(),
  rollbackOf: z.string().nullable(),
  /** The rollback that undid this change, if any. */
  rolledBackBy: z.string().nullable(),
  resumes: z.string().nullable(),
});
export type ChangeListItem = z.infer<typeof changeListItemSchema>;

export const changeListSchema = z.array(changeListItemSchema);

/**
 * The change a command just made, as `apply`, `rollback`, `expire` and `connect` print it under
 * `change` with --json (schemas/json/run.schema.json): the outcome per target, without the state
 * before and after (`waftune changes <change-id> --json` has that).
 */
export const runSummarySchema = z.object({
  changeId: z
    .string()
    .describe('The id in the change history: `waftune changes <id>`, `waftune rollback <id>`'),
  kind: changeKindSchema,
  status: z
    .enum(['done', 'partial', 'failed', 'running'])
    .describe(
      '`done`: every target applied or unchanged; `partial`: some refused or failed; `failed`: every target failed; `running`: the run recorded no end',
    ),
  counts: changeSummarySchema.shape.counts.describe(
    'Targets (web ACLs, IP sets, logging configurations) by status',
  ),
  entries: z.array(
    z.object({
      target: changeTargetSchema,
      status: entryStatusSchema.describe(
        '`refused`: waftune did not write it (`reason` says why: over the WCU limit, changed since it was read, ...); `failed`: the write failed',
      ),
      reason: z.string().nullable(),
      attempts: z
        .number()
        .int()
        .nullable()
        .describe('Writes it took: more than 1 when someone else wrote in between (a stale LockToken)'),
      outcomes: changeEntrySchema.shape.outcomes.describe('Web ACLs: what became of each suggestion'),
      wcuBefore: z.number().nullable(),
      wcuAfter: z.number().nullable(),
    }),
  ),
  storeProblems: z
    .array(z.string())
    .describe(
      'The change history could not be written after WAF was changed: the change happened but is not (fully) recorded',
    ),
  location: z.string().describe('Where the change is recorded: a folder, or an s3:// URL'),
});
export type RunSummary = z.infer<typeof runSummarySchema>;
