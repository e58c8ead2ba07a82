import { parentPort, workerData } from 'node:worker_threads';
import { SpillWriter } from '../engines/spill-writer.js';
import { emptyStats, ingestFile } from './ingest-files.js';
import type { FromWorker, ToWorker } from './ingest-messages.js';

/** One ingest worker: takes files one at a time, writes their events to spill files, reports back. */
const port = parentPort;
if (!port) throw new Error('ingest-worker runs as a worker thread');
const { spillDir, id } = workerData as { spillDir: string; id: number };
const send = (m: FromWorker) => port.postMessage(m);

const spill = new SpillWriter(spillDir, `w${id}`, (file, rows) => send({ type: 'spill', file, rows }));

port.on('message', async (m: ToWorker) => {
  if (m.type === 'stop') {
    spill.close();
    send({ type: 'stopped' });
    return;
  }
  const stats = emptyStats();
  let bytes = 0;
  try {
    await ingestFile(
      m.file,
      stats,
      (event) => spill.add(event),
      (problem) => send({ type: 'problem', problem }),
      (n) => {
        bytes += n;
        if (bytes > 4 << 20) {
          send({ type: 'progress', bytes, events: 0 });
          bytes = 0;
        }
      },
      (concatenated) => send({ type: 'concatenated', concatenated }),
    );
  } catch (error) {
    stats.rejected++;
    send({
      type: 'problem',
      problem: {
        file: m.file,
        line: null,
        reason: `unreadable (${(error as Error).message})`,
        excerpt: null,
      },
    });
  }
  send({ type: 'progress', bytes, events: stats.events });
  send({ type: 'done', stats });
});
