import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ConcatenatedFile } from '../../schemas/report.js';
import type { InputProblem } from '../ingest/read-lines.js';
import type { SourceFile } from '../ingest/sources.js';
import { emptyStats, type IngestProgress, type IngestStats } from './ingest-files.js';
import type { FromWorker } from './ingest-messages.js';

export interface PoolOptions {
  workers: number;
  spillDir: string;
  onSpill: (file: string) => Promise<void>;
  onProblem: (problem: InputProblem) => void;
  onConcatenated: (file: ConcatenatedFile) => void;
  progress?: IngestProgress;
}

/** Worker threads for parsing, up to the cores there are (DuckDB shares them while it loads). */
export function defaultWorkers(files: number): number {
  return Math.max(1, Math.min(availableParallelism(), 4, files));
}

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './ingest-worker.ts' : './ingest-worker.js',
  import.meta.url,
);

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
  let progressBytes = 0;
  let progressEvents = 0;

  const workers: Worker[] = [];
  const runWorker = (id: number) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(BOOT, { workerData: { entry: ENTRY.href, spillDir: options.spillDir, id } });
      workers.push(worker);
      const next = () => {
        const file = queue.shift();
        worker.postMessage(file === undefined ? { type: 'stop' } : { type: 'file', file });
      };
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'spill':
            loading = loading.then(() => options.onSpill(m.file));
            break;
          case 'problem':
            options.onProblem(m.problem);
            break;
          case 'concatenated':
            options.onConcatenated(m.concatenated);
            break;
          case 'progress':
            progressBytes += m.bytes;
            progressEvents += m.events;
            options.progress?.({ bytes: progressBytes, events: progressEvents });
            break;
          case 'done':
            for (const k of Object.keys(total) as Array<keyof IngestStats>) total[k] += m.stats[k];
            next();
            break;
          case 'stopped':
            void worker.terminate().then(() => resolve());
            break;
        }
      });
      worker.on('error', reject);
      next();
    });

  try {
    await Promise.all(Array.from({ length: options.workers }, (_, i) => runWorker(i)));
  } catch (error) {
    // One worker failing ends the run; the others must not keep the process alive.
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  await loading;
  return total;
}
