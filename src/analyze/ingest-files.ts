import type { WafEvent } from '../../schemas/event.js';
import type { ConcatenatedFile } from '../../schemas/report.js';
import { pieceReason, processText } from '../ingest/process-text.js';
import { type InputProblem, readLogLineBatches } from '../ingest/read-lines.js';
import type { RecordSource, SourceRecord } from '../ingest/record-source.js';

export interface IngestStats {
  files: number;
  bytes: number;
  lines: number;
  events: number;
  rejected: number;
}

export type IngestProgress = (done: { bytes: number; events: number }) => void;

export const emptyStats = (): IngestStats => ({ files: 0, bytes: 0, lines: 0, events: 0, rejected: 0 });

export function addStats(total: IngestStats, more: IngestStats): void {
  for (const k of Object.keys(total) as Array<keyof IngestStats>) total[k] += more[k];
}

/** Progress reported in pieces (worker threads), passed on as running totals. */
export function progressTotals(progress?: IngestProgress): (bytes: number, events: number) => void {
  let bytes = 0;
  let events = 0;
  return (b, e) => {
    bytes += b;
    events += e;
    progress?.({ bytes, events });
  };
}

/** Turns record texts into events for `emit` and bad ones into counted rejects; files and services share it. */
class RecordTaker {
  readonly problem: (problem: InputProblem) => void;

  constructor(
    readonly stats: IngestStats,
    private readonly emit: (event: WafEvent) => void,
    onProblem: (problem: InputProblem) => void,
  ) {
    this.problem = (p) => {
      stats.rejected++;
      onProblem(p);
    };
  }

  /**
   * One line's (or log event's) text -> an event per WAF record in it, a reject per bad one at its
   * place; returns how many records it held when they were written back to back, else null.
   */
  take(text: string, place: SourceRecord['place']): number | null {
    this.stats.lines++;
    const { results, pieces } = processText(text);
    for (let i = 0; i < results.length; i++) {
      const result = results[i] as (typeof results)[number];
      if (result.ok) {
        this.stats.events++;
        this.emit(result.event);
      } else if (pieces === null) {
        this.problem({ ...place, reason: result.reason, excerpt: text });
      } else {
        const where = place.line === null ? 'in this log event' : 'on this line';
        this.problem({
          ...place,
          reason: pieceReason(result.reason, i, pieces.length, where),
          excerpt: pieces[i] ?? null,
        });
      }
    }
    return pieces === null ? null : pieces.length;
  }
}

/**
 * Reads one file and turns each record into a classified event for `emit`, and every bad record or
 * file problem into `onProblem`; adds to `stats`. Records written back to back on one line are all
 * read, and said once for the file through `onConcatenated`.
 */
export async function ingestFile(
  path: string,
  stats: IngestStats,
  emit: (event: WafEvent) => void,
  onProblem: (problem: InputProblem) => void,
  onBytes?: (compressedBytes: number) => void,
  onConcatenated?: (file: ConcatenatedFile) => void,
): Promise<void> {
  const taker = new RecordTaker(stats, emit, onProblem);
  stats.files++;
  let concatenated: ConcatenatedFile | null = null;
  for await (const batch of readLogLineBatches(path, taker.problem, (n) => {
    stats.bytes += n;
    onBytes?.(n);
  })) {
    for (const { line, text } of batch) {
      const records = taker.take(text, { file: path, line });
      if (records !== null) {
        concatenated ??= { file: path, lines: 0, records: 0, firstLine: line };
        concatenated.lines++;
        concatenated.records += records;
      }
    }
  }
  if (concatenated) onConcatenated?.(concatenated);
}

/**
 * The same for records that come from a service rather than a file: each becomes an event or a
 * reject naming its place. Each distinct container (a log stream) counts as one input file.
 */
export async function ingestRecords(
  source: RecordSource,
  stats: IngestStats,
  emit: (event: WafEvent) => void,
  onProblem: (problem: InputProblem) => void,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const taker = new RecordTaker(stats, emit, onProblem);
  const containers = new Set<string>();
  for await (const { text, place } of source.records(taker.problem)) {
    if (!containers.has(place.file)) {
      containers.add(place.file);
      stats.files++;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    stats.bytes += bytes;
    onBytes?.(bytes);
    taker.take(text, place);
  }
}
