import {
  type AuditStore,
  type ChangeEntry,
  type ChangeHeader,
  type ChangeRecord,
  summarize,
} from './audit.js';
import { errorMessage } from './port.js';

export type NewEntry = Omit<ChangeEntry, 'seq' | 'at'>;

export interface RunResult {
  record: ChangeRecord;
  /** The audit store failed after WAF was changed: the change happened but is not (fully) recorded. */
  storeProblems: string[];
}

/**
 * One change being made: entries are stored as soon as each target is done. The header is stored
 * before anything is written to WAF, so a change that cannot be recorded is not made.
 */
export class ChangeRun {
  private readonly entries: ChangeEntry[] = [];
  private readonly storeProblems: string[] = [];
  private seq = 0;

  private constructor(
    private readonly store: AuditStore,
    private readonly header: ChangeHeader,
    private readonly now: () => Date,
    private readonly onEntry?: (entry: ChangeEntry) => void,
  ) {}

  static async start(
    store: AuditStore,
    header: ChangeHeader,
    now: () => Date,
    onEntry?: (entry: ChangeEntry) => void,
  ): Promise<ChangeRun> {
    await store.begin(header);
    return new ChangeRun(store, header, now, onEntry);
  }

  get id(): string {
    return this.header.id;
  }

  async add(partial: NewEntry): Promise<ChangeEntry> {
    const entry: ChangeEntry = { ...partial, seq: this.seq++, at: this.now().toISOString() };
    this.entries.push(entry);
    try {
      await this.store.record(this.header.id, entry);
    } catch (error) {
      this.storeProblems.push(
        `could not record ${entry.target.type} ${entry.target.name}: ${errorMessage(error)}`,
      );
    }
    this.onEntry?.(entry);
    return entry;
  }

  async finish(): Promise<RunResult> {
    const summary = summarize(this.entries, this.now());
    try {
      await this.store.finish(this.header.id, summary);
    } catch (error) {
      this.storeProblems.push(`could not record the end of change ${this.header.id}: ${errorMessage(error)}`);
    }
    return {
      record: { header: this.header, entries: [...this.entries], summary },
      storeProblems: [...this.storeProblems],
    };
  }
}
