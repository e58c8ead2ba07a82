import { availableParallelism } from 'node:os';
import type { ConcatenatedFile } from '../../schemas/report.js';
import type { SpillTo } from '../engines/spill-writer.js';
import type { InputProblem } from '../ingest/read-lines.js';
import type { SourceFile } from '../ingest/sources.js';
import {
  addStats,
  emptyStats,
  type IngestProgress,
  type IngestStats,
  progressTotals,
} from './ingest-files.js';
import type { ToWorker } from './ingest-messages.js';
import { startIngestThreads } from './ingest-threads.js';

export interface PoolOptions {
  workers: number;
  spill: SpillTo;
  onSpill: (file: string) => Promise<void>;
  onProblem: (problem: InputProblem) => void;
  onConcatenated: (file: ConcatenatedFile) => void;
  progress?: IngestProgress;
}

/** Worker threads for parsing, up to the cores there are (DuckDB shares them while it loads). */
export function defaultWorkers(files: number): number {
  return Math.max(1, Math.min(availableParallelism(), 4, files));
}

/**
 * Parses files on worker threads, one file per worker at a time, largest first so the last
 * file does not run alone; spill files are loaded one after another as they come.
 */
export async function ingestInWorkers(
  files: readonly SourceFile[],
  options: PoolOptions,
): Promise<IngestStats> {
  const total = emptyStats();
  const queue = [...files].sort((a, b) => b.bytes - a.bytes).map((f) => f.path);
  let loading: Promise<void> = Promise.resolve();
  const progress = progressTotals(options.progress);
  const next = (send: (task: ToWorker) => void) => {
    const file = queue.shift();
    send(file === undefined ? { type: 'stop' } : { type: 'file', file });
  };
  const threads = startIngestThreads(options.workers, options.spill, {
    onProblem: options.onProblem,
    onConcatenated: options.onConcatenated,
    onStart: next,
    onMessage: (m, send) => {
      if (m.type === 'spill') loading = loading.then(() => options.onSpill(m.file));
      else if (m.type === 'progress') progress(m.bytes, m.events);
      else if (m.type === 'done') {
        addStats(total, m.stats);
        next(send);
      }
    },
  });
  try {
    await threads.running;
  } catch (error) {
    // One worker failing ends the run; the others must not keep the process alive.
    await threads.terminate();
    throw error;
  }
  await loading;
  return total;
}
