import { parentPort, workerData } from 'node:worker_threads';
import type { ConcatenatedFile } from '../../schemas/report.js';
import { type SpillTo, SpillWriter } from '../engines/spill-writer.js';
import { pieceReason, processText } from '../ingest/process-text.js';
import { stagedLines, stageFile } from '../ingest/staged-file.js';
import { emptyStats, ingestFile } from './ingest-files.js';
import type { FromWorker, ToWorker } from './ingest-messages.js';

/** One ingest worker: takes files one at a time, writes their events to spill files, reports back. */
const port = parentPort;
if (!port) throw new Error('ingest-worker runs as a worker thread');
const { spill: spillTo, id } = workerData as { spill: SpillTo; id: number };
const send = (m: FromWorker) => port.postMessage(m);

const spill = new SpillWriter(spillTo, `w${id}`, (file, rows) => send({ type: 'spill', file, rows }));

function exactFile(file: string): Promise<void> {
  const stats = emptyStats();
  let bytes = 0;
  return ingestFile(
    file,
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
  )
    .catch((error) => {
      stats.rejected++;
      send({
        type: 'problem',
        problem: { file, line: null, reason: `unreadable (${(error as Error).message})`, excerpt: null },
      });
    })
    .then(() => {
      send({ type: 'progress', bytes, events: stats.events });
      send({ type: 'done', stats });
    });
}

/** The exact reader on the given lines of a staged file: the same results as on the source file's lines. */
function exactLines(m: Extract<ToWorker, { type: 'lines' }>): void {
  const stats = exactTexts(m.file, stagedLines(m.staging, m.lineKey, m.lines), m.lines);
  send({ type: 'lines-done', src: m.src, stats });
}

function exactTexts(file: string, texts: ReadonlyMap<number, string>, lines: readonly number[]) {
  const stats = emptyStats();
  let concatenated: ConcatenatedFile | null = null;
  for (const line of lines) {
    const text = texts.get(line);
    if (text === undefined) continue;
    const { results, pieces } = processText(text);
    if (pieces !== null) {
      concatenated ??= { file, lines: 0, records: 0, firstLine: line };
      concatenated.lines++;
      concatenated.records += pieces.length;
    }
    results.forEach((result, i) => {
      if (result.ok) {
        stats.events++;
        spill.add(result.event);
        return;
      }
      stats.rejected++;
      const reason =
        pieces === null ? result.reason : pieceReason(result.reason, i, pieces.length, 'on this line');
      send({
        type: 'problem',
        problem: { file, line, reason, excerpt: pieces === null ? text : (pieces[i] ?? null) },
      });
    });
  }
  if (concatenated) send({ type: 'concatenated', concatenated });
  return stats;
}

port.on('message', async (m: ToWorker) => {
  switch (m.type) {
    case 'stop':
      spill.close();
      send({ type: 'stopped' });
      return;
    case 'file':
      await exactFile(m.file);
      return;
    case 'stage': {
      let r: ReturnType<typeof stageFile>;
      try {
        r = stageFile(m.file, m.staging, m.lineKey);
      } catch (error) {
        r = { ok: false, why: (error as Error).message, bytes: 0 };
      }
      // Lines kept out of the staging file are read here, now.
      const direct = r.ok ? exactTexts(m.file, r.direct, [...r.direct.keys()]) : emptyStats();
      direct.lines = r.ok ? r.direct.size : 0;
      send({
        type: 'staged',
        src: m.src,
        ok: r.ok,
        records: r.ok ? r.records : 0,
        bytes: r.bytes,
        direct,
        ...(r.ok ? {} : { why: r.why }),
      });
      return;
    }
    case 'lines':
      exactLines(m);
      return;
  }
});
