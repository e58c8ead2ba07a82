import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { suggestionSchema } from '../../schemas/suggestion.js';
import type { LoggingConfiguration, WebAcl } from './types.js';

/**
 * The change history. Every apply, rollback and expire is one change; every web ACL or IP set it
 * touched is one entry with the state before and after, so `rollback` can put back exactly what
 * was there and `changes` can say who did what, when, from which suggestion.
 *
 * Entries are written one by one as targets finish, so an interrupted run still leaves a record
 * of what it did. Local files by default (adapters/audit-store-fs.ts), or S3
 * (adapters/audit-store-s3.ts) where the scheduled functions read and write it: one file or object
 * per header, entry and summary, so concurrent writers never overwrite each other.
 */

const webAclStateSchema = z.looseObject({
  Name: z.string(),
  Id: z.string(),
  ARN: z.string(),
  Rules: z.array(z.looseObject({ Name: z.string(), Priority: z.number() })).optional(),
});
const ipSetStateSchema = z.object({ addresses: z.array(z.string()) });
const loggingStateSchema = z.looseObject({
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

export interface ChangeRecord {
  header: ChangeHeader;
  entries: ChangeEntry[];
  /** Absent while running, or when the run was interrupted. */
  summary?: ChangeSummary;
}

export interface AuditStore {
  /** Where records go, for messages ("recorded in .waftune/changes/..."). */
  readonly location: string;
  begin(header: ChangeHeader): Promise<void>;
  record(changeId: string, entry: ChangeEntry): Promise<void>;
  finish(changeId: string, summary: ChangeSummary): Promise<void>;
  /** Every change, oldest first. */
  list(): Promise<ChangeRecord[]>;
  get(changeId: string): Promise<ChangeRecord | undefined>;
}

/** What a change id may be: it names a folder or a key prefix, so nothing that could climb out of one. */
export function isChangeId(id: string): boolean {
  return /^[\w.-]+$/.test(id) && id !== '.' && id !== '..';
}

/** The history as `list()` returns it: oldest first, by when each change began (ties by id). */
export function oldestFirst(records: ChangeRecord[]): ChangeRecord[] {
  return records.sort((a, b) =>
    a.header.createdAt < b.header.createdAt
      ? -1
      : a.header.createdAt > b.header.createdAt
        ? 1
        : a.header.id < b.header.id
          ? -1
          : a.header.id > b.header.id
            ? 1
            : 0,
  );
}

/** One stored part of a change (header, entry or summary) from its JSON text; `where` names it in errors. */
export function parseRecordPart<T>(text: string, schema: z.ZodType<T>, where: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`cannot read change record ${where}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new Error(`change record ${where} is damaged:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Sortable by time, short enough to type: 20250611-120301-3fa9. */
export function newChangeId(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${randomBytes(2).toString('hex')}`;
}

/** Finds a change by id or unique id prefix, like git does with commits. */
export async function resolveChangeId(store: AuditStore, idOrPrefix: string): Promise<ChangeRecord> {
  const exact = await store.get(idOrPrefix);
  if (exact) return exact;
  const matches = (await store.list()).filter((r) => r.header.id.startsWith(idOrPrefix));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1)
    throw new Error(`change id ${idOrPrefix} is ambiguous: ${matches.map((m) => m.header.id).join(', ')}`);
  throw new Error(`no change ${idOrPrefix} in ${store.location} (see \`waftune changes\`)`);
}

export function summarize(entries: readonly ChangeEntry[], now: Date): ChangeSummary {
  const counts = { applied: 0, unchanged: 0, refused: 0, failed: 0 };
  for (const e of entries) counts[e.status]++;
  const total = entries.length;
  const status =
    counts.failed + counts.refused === 0 ? 'done' : counts.failed === total ? 'failed' : 'partial';
  return { finishedAt: now.toISOString(), status, counts };
}

export function webAclState(entryState: ChangeEntry['before']): WebAcl | undefined {
  return entryState && 'Name' in entryState ? (entryState as unknown as WebAcl) : undefined;
}

export function loggingState(entryState: ChangeEntry['before']): LoggingConfiguration | undefined {
  return entryState && 'ResourceArn' in entryState
    ? (entryState as unknown as LoggingConfiguration)
    : undefined;
}

export function ipSetState(entryState: ChangeEntry['before']): string[] | undefined {
  return entryState && 'addresses' in entryState && Array.isArray(entryState.addresses)
    ? (entryState.addresses as string[])
    : undefined;
}
