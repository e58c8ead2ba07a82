import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  type Actor,
  actorSchema,
  type ChangeEntry,
  type ChangeHeader,
  type ChangeKind,
  type ChangeSummary,
  type ChangeTarget,
  changeEntrySchema,
  changeHeaderSchema,
  changeKindSchema,
  changeSummarySchema,
  changeTargetSchema,
  type EntryStatus,
  entryStatusSchema,
  type IpBlockRecord,
  ipBlockRecordSchema,
  policyChangeSchema,
} from '../../schemas/change.js';
import type { LoggingConfiguration, WebAcl } from './types.js';

export type {
  Actor,
  ChangeEntry,
  ChangeHeader,
  ChangeKind,
  ChangeSummary,
  ChangeTarget,
  EntryStatus,
  IpBlockRecord,
};
// The record schemas live in schemas/change.ts (the contract `changes --json` prints); the code
// that keeps the history imports them from here.
export {
  actorSchema,
  changeEntrySchema,
  changeHeaderSchema,
  changeKindSchema,
  changeSummarySchema,
  changeTargetSchema,
  entryStatusSchema,
  ipBlockRecordSchema,
  policyChangeSchema,
};

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

export function countEntries(entries: readonly ChangeEntry[]): ChangeSummary['counts'] {
  const counts = { applied: 0, unchanged: 0, refused: 0, failed: 0 };
  for (const e of entries) counts[e.status]++;
  return counts;
}

export function summarize(entries: readonly ChangeEntry[], now: Date): ChangeSummary {
  const counts = countEntries(entries);
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
