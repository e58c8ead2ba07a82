import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { InputProblem } from './read-lines.js';

/** How much of a rejected line is kept: enough to find and fix it, not a copy of the data. */
const EXCERPT_CHARS = 2048;
const KEPT_IN_MEMORY = 50;

/**
 * Cookie and Authorization values are secrets even in a broken line: the excerpt kept aside must
 * not become the one place waftune stores them.
 */
const SECRET_NAME = '(?:cookie|authorization|proxy-authorization|x-wp-nonce)';
const REMOVED = '[removed by waftune]';
/** WAF's header objects, name first as WAF writes them, or value first as anything else may. */
const NAME_THEN_VALUE = new RegExp(
  `("name"\\s*:\\s*"${SECRET_NAME}"\\s*,\\s*"value"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)`,
  'gi',
);
const VALUE_THEN_NAME = new RegExp(
  `("value"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)("\\s*,\\s*"name"\\s*:\\s*"${SECRET_NAME}")`,
  'gi',
);
/** A raw header line (`Cookie: ...`) in a line that is not JSON at all. */
const RAW_HEADER = new RegExp(`(^|[\\r\\n\\s])(${SECRET_NAME}\\s*:\\s*)[^\\r\\n]*`, 'gi');

export function scrubSecrets(text: string): string {
  return text
    .replace(NAME_THEN_VALUE, `$1${REMOVED}`)
    .replace(VALUE_THEN_NAME, `$1${REMOVED}$3`)
    .replace(RAW_HEADER, `$1$2${REMOVED}`);
}

export interface RejectSummary {
  total: number;
  byReason: Record<string, number>;
  files: number;
  /** The first few, for the report; all of them are in `file`. */
  samples: InputProblem[];
  file: string | null;
}

/** Counts rejected input and writes every item, as JSON lines, to the rejects file. */
export class RejectLog {
  private total = 0;
  private readonly byReason = new Map<string, number>();
  private readonly files = new Set<string>();
  private readonly samples: InputProblem[] = [];
  private out: WriteStream | null = null;

  constructor(private readonly path: string | null) {}

  add(problem: InputProblem): void {
    const item = {
      ...problem,
      excerpt: problem.excerpt === null ? null : scrubSecrets(problem.excerpt.slice(0, EXCERPT_CHARS)),
    };
    this.total++;
    const kind = item.reason.replace(/\s*[(:].*$/, '');
    this.byReason.set(kind, (this.byReason.get(kind) ?? 0) + 1);
    this.files.add(item.file);
    if (this.samples.length < KEPT_IN_MEMORY) this.samples.push(item);
    if (this.path) {
      if (!this.out) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.out = createWriteStream(this.path, { flags: 'w' });
      }
      this.out.write(`${JSON.stringify(item)}\n`);
    }
  }

  async close(): Promise<RejectSummary> {
    const out = this.out;
    if (out)
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    return {
      total: this.total,
      // Workers finish files in any order; the summary does not depend on it.
      byReason: Object.fromEntries(
        [...this.byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
      ),
      files: this.files.size,
      samples: [...this.samples].sort(
        (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0),
      ),
      file: this.total > 0 ? this.path : null,
    };
  }
}
