import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * The change history as local JSON files: `<state-dir>/changes/<change-id>/header.json`, one
 * `entry-00000.json` per target as it finishes, `summary.json` at the end. One file per write, so
 * an interrupted run keeps what it recorded; adapters/audit-store-s3.ts maps the same layout onto
 * S3 keys one to one.
 */
export class FileAuditStore implements AuditStore, DecisionStore {
  readonly location: string;
  /** Decisions on suggestions, one file each: `<state-dir>/changes/decisions/<decision-id>.json`. */
  readonly decisionsLocation: string;

  constructor(stateDir: string) {
    this.location = join(stateDir, 'changes');
    this.decisionsLocation = join(this.location, 'decisions');
  }

  async addDecision(decision: Decision): Promise<void> {
    if (!isChangeId(decision.id)) throw new Error(`not a decision id: ${decision.id}`);
    await mkdir(this.decisionsLocation, { recursive: true });
    await this.write(join(this.decisionsLocation, `${decision.id}.json`), decision, true);
  }

  async listDecisions(): Promise<Decision[]> {
    let files: string[];
    try {
      files = (await readdir(this.decisionsLocation)).filter((f) => /^dec-[\w-]+\.json$/.test(f)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: Decision[] = [];
    for (const f of files) out.push(await readJson(join(this.decisionsLocation, f), decisionSchema));
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  private dir(id: string): string {
    if (!isChangeId(id)) throw new Error(`not a change id: ${id}`);
    return join(this.location, id);
  }

  private async write(path: string, value: unknown, exclusive = false): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    if (exclusive) {
      await writeFile(path, text, { flag: 'wx' });
      return;
    }
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, path);
  }

  async begin(header: ChangeHeader): Promise<void> {
    const dir = this.dir(header.id);
    await mkdir(dir, { recursive: true });
    await this.write(join(dir, 'header.json'), header, true);
  }

  async record(changeId: string, entry: ChangeEntry): Promise<void> {
    await this.write(join(this.dir(changeId), `entry-${String(entry.seq).padStart(5, '0')}.json`), entry);
  }

  async finish(changeId: string, summary: ChangeSummary): Promise<void> {
    await this.write(join(this.dir(changeId), 'summary.json'), summary);
  }

  async list(): Promise<ChangeRecord[]> {
    let ids: string[];
    try {
      ids = (await readdir(this.location, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: ChangeRecord[] = [];
    for (const id of ids.sort()) {
      const record = await this.get(id);
      if (record) records.push(record);
    }
    return oldestFirst(records);
  }

  async get(changeId: string): Promise<ChangeRecord | undefined> {
    if (!isChangeId(changeId)) return undefined;
    const dir = this.dir(changeId);
    let files: string[];
    try {
      files = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (!files.includes('header.json')) return undefined;
    const header = await readJson(join(dir, 'header.json'), changeHeaderSchema);
    const entries: ChangeEntry[] = [];
    for (const f of files.filter((f) => /^entry-\d+\.json$/.test(f)).sort())
      entries.push(await readJson(join(dir, f), changeEntrySchema));
    const summary = files.includes('summary.json')
      ? await readJson(join(dir, 'summary.json'), changeSummarySchema)
      : undefined;
    return { header, entries: entries.sort((a, b) => a.seq - b.seq), ...(summary ? { summary } : {}) };
  }
}

async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read change record ${path}: ${(error as Error).message}`);
  }
  return parseRecordPart(text, schema, path);
}
