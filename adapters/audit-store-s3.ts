import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { z } from 'zod';
import { type Decision, decisionSchema } from '../schemas/decision.js';
import type { DecisionStore } from '../src/suggest/decisions.js';
import {
  type AuditStore,
  type ChangeEntry,
  type ChangeHeader,
  type ChangeRecord,
  type ChangeSummary,
  changeEntrySchema,
  changeHeaderSchema,
  changeSummarySchema,
  isChangeId,
  oldestFirst,
  parseRecordPart,
} from '../src/waf/audit.js';
import { mapLimit } from '../src/waf/concurrency.js';

/**
 * The change history on S3, in the file store's layout: `<prefix><change-id>/header.json`, one
 * `entry-00000.json` per target, `summary.json` at the end. Every write is its own object, so the
 * CLI on a laptop and the scheduled expire function can record at the same time without either
 * overwriting the other (no read-modify-write of a shared index), and an interrupted run keeps
 * what it recorded.
 */

export interface S3AuditStoreOptions {
  /** ListObjectsV2 page size (tests use a small one to cross pages). */
  pageSize?: number;
  /** Objects read at once by list() and get(). */
  concurrency?: number;
}

const PART = /^([\w.-]+)\/(header\.json|summary\.json|entry-\d+\.json)$/;

interface Parts {
  header?: string;
  summary?: string;
  entries: string[];
}

export class S3AuditStore implements AuditStore, DecisionStore {
  readonly location: string;
  /** Decisions on suggestions, one object each: `<prefix>decisions/<decision-id>.json`. */
  readonly decisionsLocation: string;
  private readonly prefix: string;
  private readonly pageSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    prefix = 'changes/',
    options: S3AuditStoreOptions = {},
  ) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.location = `s3://${bucket}/${this.prefix}`;
    this.decisionsLocation = `${this.location}decisions/`;
    this.pageSize = options.pageSize ?? 1000;
    this.concurrency = options.concurrency ?? 16;
  }

  private key(id: string, part: string): string {
    if (!isChangeId(id)) throw new Error(`not a change id: ${id}`);
    return `${this.prefix}${id}/${part}`;
  }

  private async put(key: string, value: unknown, ifNoneMatch = false): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${JSON.stringify(value, null, 2)}\n`,
        ContentType: 'application/json',
        ServerSideEncryption: 'AES256',
        ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      }),
    );
  }

  /**
   * Listed rather than HEAD: a role allowed to list only under the prefix (s3:prefix condition)
   * gets 403, not 404, from a HEAD on a missing key.
   */
  private async exists(key: string): Promise<boolean> {
    const page = await this.s3.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 }),
    );
    return (page.Contents ?? []).some((o) => o.Key === key);
  }

  async begin(header: ChangeHeader): Promise<void> {
    await this.putOnce(
      this.key(header.id, 'header.json'),
      header,
      () => new Error(`change ${header.id} is already recorded in ${this.location}`),
    );
  }

  /**
   * Writes an object that must not exist yet. The conditional put is what makes this safe on S3;
   * the look first gives the same answer on S3-compatible stores that ignore If-None-Match.
   */
  private async putOnce(key: string, value: unknown, taken: () => Error): Promise<void> {
    if (await this.exists(key)) throw taken();
    try {
      await this.put(key, value, true);
    } catch (error) {
      const status = httpStatus(error);
      if (status === 412 || status === 409) throw taken();
      throw error;
    }
  }

  async record(changeId: string, entry: ChangeEntry): Promise<void> {
    await this.put(this.key(changeId, `entry-${String(entry.seq).padStart(5, '0')}.json`), entry);
  }

  async finish(changeId: string, summary: ChangeSummary): Promise<void> {
    await this.put(this.key(changeId, 'summary.json'), summary);
  }

  async addDecision(decision: Decision): Promise<void> {
    if (!isChangeId(decision.id)) throw new Error(`not a decision id: ${decision.id}`);
    await this.putOnce(
      `${this.prefix}decisions/${decision.id}.json`,
      decision,
      () => new Error(`decision ${decision.id} is already recorded in ${this.decisionsLocation}`),
    );
  }

  async listDecisions(): Promise<Decision[]> {
    const keys = (await this.listKeys(`${this.prefix}decisions/`)).filter((k) =>
      /\/dec-[\w-]+\.json$/.test(k),
    );
    const decisions = await mapLimit(keys.sort(), this.concurrency, (key) =>
      this.readPart(key, decisionSchema),
    );
    return decisions.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async list(): Promise<ChangeRecord[]> {
    const byId = await this.scan(this.prefix);
    const ids = [...byId.keys()].sort();
    const records = await mapLimit(ids, Math.max(1, Math.ceil(this.concurrency / 4)), (id) =>
      this.read(byId.get(id) ?? { entries: [] }),
    );
    return oldestFirst(records.filter((r): r is ChangeRecord => r !== undefined));
  }

  async get(changeId: string): Promise<ChangeRecord | undefined> {
    if (!isChangeId(changeId)) return undefined;
    const parts = (await this.scan(`${this.prefix}${changeId}/`)).get(changeId);
    return parts ? this.read(parts) : undefined;
  }

  /** Every part under `prefix`, by change id; objects that are not part of a change are left alone. */
  private async scan(prefix: string): Promise<Map<string, Parts>> {
    const byId = new Map<string, Parts>();
    for (const key of await this.listKeys(prefix)) {
      const match = key.startsWith(this.prefix) ? PART.exec(key.slice(this.prefix.length)) : null;
      const [, id, part] = match ?? [];
      if (!id || !part) continue;
      const parts = byId.get(id) ?? { entries: [] };
      if (part === 'header.json') parts.header = key;
      else if (part === 'summary.json') parts.summary = key;
      else parts.entries.push(key);
      byId.set(id, parts);
    }
    return byId;
  }

  /** Every key under `prefix`, through the SDK's paginator. */
  private async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const pages = paginateListObjectsV2(
      { client: this.s3, pageSize: this.pageSize },
      { Bucket: this.bucket, Prefix: prefix },
    );
    for await (const page of pages)
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    return keys;
  }

  /** A change from its parts; undefined without a header (a run that never began properly). */
  private async read(parts: Parts): Promise<ChangeRecord | undefined> {
    if (!parts.header) return undefined;
    const header = await this.readPart(parts.header, changeHeaderSchema);
    const entries = await mapLimit(parts.entries.sort(), this.concurrency, (key) =>
      this.readPart(key, changeEntrySchema),
    );
    const summary = parts.summary ? await this.readPart(parts.summary, changeSummarySchema) : undefined;
    return { header, entries: entries.sort((a, b) => a.seq - b.seq), ...(summary ? { summary } : {}) };
  }

  private async readPart<T>(key: string, schema: z.ZodType<T>): Promise<T> {
    const where = `s3://${this.bucket}/${key}`;
    let text: string;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      throw new Error(`cannot read change record ${where}: ${(error as Error).message}`);
    }
    return parseRecordPart(text, schema, where);
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
