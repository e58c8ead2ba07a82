import { Worker } from 'node:worker_threads';
import type { ConcatenatedFile } from '../../schemas/report.js';
import type { SpillTo } from '../engines/spill-writer.js';
import type { InputProblem } from '../ingest/read-lines.js';
import type { FromWorker, ToWorker } from './ingest-messages.js';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './ingest-worker.ts' : './ingest-worker.js',
  import.meta.url,
);

/** What a thread reports beside its problems, concatenated files and stop, which are handled here. */
export type WorkMessage = Exclude<FromWorker, { type: 'problem' | 'concatenated' | 'stopped' }>;

export interface ThreadHandlers {
  onProblem: (problem: InputProblem) => void;
  onConcatenated: (file: ConcatenatedFile) => void;
  /** A thread is up: give it its first task through `send`. */
  onStart: (send: (task: ToWorker) => void) => void;
  onMessage: (message: WorkMessage, send: (task: ToWorker) => void) => void;
}

export interface IngestThreads {
  /** Settles when every thread has stopped; rejects when one fails. */
  running: Promise<void>;
  /** Tells every thread to stop (each flushes its last spill file first). */
  stop: () => void;
  /** Ends every thread now: after a failure, so none keeps the process alive. */
  terminate: () => Promise<void>;
}

/** Starts `count` ingest worker threads (src/analyze/ingest-worker.ts), each spilling to `spill`. */
export function startIngestThreads(count: number, spill: SpillTo, handlers: ThreadHandlers): IngestThreads {
  const workers: Worker[] = [];
  const runThread = (id: number) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(BOOT, { workerData: { entry: ENTRY.href, spill, id } });
      workers.push(worker);
      const send = (task: ToWorker) => worker.postMessage(task);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'problem') handlers.onProblem(m.problem);
        else if (m.type === 'concatenated') handlers.onConcatenated(m.concatenated);
        else if (m.type === 'stopped') void worker.terminate().then(() => resolve());
        else handlers.onMessage(m, send);
      });
      worker.on('error', reject);
      handlers.onStart(send);
    });
  const running = Promise.all(Array.from({ length: count }, (_, i) => runThread(i))).then(() => undefined);
  return {
    running,
    stop: () => {
      for (const w of workers) w.postMessage({ type: 'stop' } satisfies ToWorker);
    },
    terminate: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
