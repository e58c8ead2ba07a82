import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ConcatenatedFile } from '../../schemas/report.js';
import { publishedCdnOf } from '../cdn/published-edges.js';
import type { DuckDbEngine } from '../engines/duckdb.js';
import { loadBatchSql } from '../engines/raw-read-sql.js';
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

/**
 * The local load (DESIGN §1), shaped by what the queries need rather than one TypeScript event per
 * record: worker threads decompress and check each file and stage it for DuckDB
 * (src/ingest/staged-file.ts); DuckDB reads each batch of staged files with an explicit schema and
 * gives the records no rule matched (nearly nine in ten) the normalization and request signals in
 * SQL, compiled from the same definitions as the TypeScript ones (src/engines/normalize-sql.ts);
 * every other record (a rule matched, or anything SQL is not sure of) goes back to a worker, by
 * line, for the exact reader's normalize + classify, so rule attribution and rejects with file and
 * line stay the TypeScript ones. Nothing is lost: a file that zlib, the UTF-8 check or DuckDB
 * refuses, or whose record count DuckDB does not match, is read by the exact reader whole.
 */

export interface FastLoadOptions {
  workers: number;
  /** The exact reader's spill files: in a folder of this run's own, removed by the caller. */
  spill: SpillTo;
  /** Where staging files go: memory-backed when the machine has it (/dev/shm). */
  stagingDir: string;
  onProblem: (problem: InputProblem) => void;
  onConcatenated: (file: ConcatenatedFile) => void;
  progress?: IngestProgress;
  /** Staged files per DuckDB statement. */
  batchFiles?: number;
  /** Where the load's timings and refused batches go, a line each (LoadOptions.onTiming). */
  onTiming?: ((line: string) => void) | undefined;
}

interface StagedFile {
  src: number;
  path: string;
  staging: string;
  records: number;
  bytes: number;
  direct: IngestStats;
}

export async function fastLoad(
  engine: DuckDbEngine,
  files: readonly SourceFile[],
  options: FastLoadOptions,
): Promise<IngestStats> {
  await engine.prepareStagedLoad();
  const lineKey = `_waftune_${randomBytes(6).toString('hex')}`;
  mkdirSync(options.stagingDir, { recursive: true });
  const total = emptyStats();
  const spills: string[] = [];
  // A statement costs about 0.33 s before it reads a row (an empty file's batch, measured), so
  // 4 files a batch spent half its time there: 16 took the 4x bench from 79 to 54-62 s.
  const batchFiles = options.batchFiles ?? 16;
  const progress = progressTotals(options.progress);

  // Tasks for the workers: staging first (largest files first, so the last does not run alone),
  // exact reads and line lists as they come up.
  const order = files.map((f, src) => ({ ...f, src })).sort((a, b) => b.bytes - a.bytes);
  const tasks: ToWorker[] = [];
  for (const f of order) {
    tasks.push({
      type: 'stage',
      file: f.path,
      src: f.src,
      staging: join(options.stagingDir, `s${f.src}.json`),
      lineKey,
    });
  }
  const idle: Array<(t: ToWorker) => void> = [];
  let outstanding = 0;
  const dispatch = (t: ToWorker) => {
    outstanding++;
    const w = idle.shift();
    if (w) w(t);
    else tasks.push(t);
  };
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  let failed: unknown = null;

  const ready: StagedFile[] = [];
  let loading: Promise<void> = Promise.resolve();
  const exact = (src: number) => {
    const f = files[src] as SourceFile;
    dispatch({ type: 'file', file: f.path });
  };
  let loadsPending = 0;
  const checkDone = () => {
    if (outstanding === 0 && tasks.length === 0 && ready.length === 0 && loadsPending === 0) allDone();
  };

  const timing = { load: 0, check: 0, spills: 0 };
  const loadBatch = async (batch: StagedFile[]) => {
    let left = batch;
    const t0 = performance.now();
    while (left.length > 0) {
      try {
        await engine.sqlRun(
          loadBatchSql(
            'events_local',
            left.map((f) => f.staging),
            left.map((f) => f.src),
            lineKey,
          ),
        );
        break;
      } catch (error) {
        // DuckDB names the file it could not read (a lone surrogate, a `}{` line, a wrong type):
        // that file goes to the exact reader, the rest of the batch is read again.
        const named = /in file "([^"]+)"/.exec((error as Error).message)?.[1];
        options.onTiming?.(`batch: ${(error as Error).message.slice(0, 300)}`);
        const bad = left.find((f) => f.staging === named);
        await engine.sqlRun(`DELETE FROM events_local WHERE src IN (${left.map((f) => f.src).join(', ')})`);
        if (bad) {
          rmSync(bad.staging, { force: true });
          exact(bad.src);
          left = left.filter((f) => f !== bad);
        } else if (left.length > 1) {
          const [head, ...rest] = left;
          await loadBatch([head as StagedFile]);
          left = rest;
        } else {
          rmSync((left[0] as StagedFile).staging, { force: true });
          exact((left[0] as StagedFile).src);
          left = [];
        }
      }
    }
    const t1 = performance.now();
    timing.load += t1 - t0;
    if (left.length === 0) return;
    const srcs = left.map((f) => f.src).join(', ');
    const counts = await engine.sql(
      `SELECT src, count(*) AS records, count(*) FILTER (WHERE kind = 0) AS simple, list(line ORDER BY line) FILTER (WHERE kind = 1) AS lines FROM events_local WHERE src IN (${srcs}) GROUP BY src`,
    );
    const bySrc = new Map(counts.map((r) => [Number(r.src), r]));
    const wrong: number[] = [];
    for (const f of left) {
      const row = bySrc.get(f.src);
      // A record DuckDB skipped, or a line read twice: the exact reader reads the file instead.
      if (!row || Number(row.records) !== f.records) {
        wrong.push(f.src);
        rmSync(f.staging, { force: true });
        continue;
      }
      total.files++;
      total.bytes += f.bytes;
      total.lines += f.records + f.direct.lines;
      total.events += Number(row.simple) + f.direct.events;
      total.rejected += f.direct.rejected;
      progress(f.bytes, Number(row.simple));
      const lines = (row.lines as number[] | null) ?? [];
      if (lines.length > 0) {
        dispatch({
          type: 'lines',
          file: f.path,
          src: f.src,
          staging: f.staging,
          lineKey,
          lines: lines.map(Number),
        });
      } else rmSync(f.staging, { force: true });
    }
    if (wrong.length > 0) {
      await engine.sqlRun(`DELETE FROM events_local WHERE src IN (${wrong.join(', ')})`);
      for (const src of wrong) exact(src);
    }
    timing.check += performance.now() - t1;
  };

  const flushReady = (all: boolean) => {
    while (ready.length >= batchFiles || (all && ready.length > 0)) {
      const batch = ready.splice(0, batchFiles);
      loadsPending++;
      loading = loading
        .then(() => loadBatch(batch))
        .catch((error) => {
          failed ??= error;
        })
        .then(() => {
          loadsPending--;
          checkDone();
        });
    }
  };

  const staging = new Map<number, string>();
  for (const t of tasks) if (t.type === 'stage') staging.set(t.src, t.staging);
  outstanding = tasks.length;

  const next = (send: (t: ToWorker) => void) => {
    const t = tasks.shift();
    if (t) send(t);
    else idle.push(send);
  };
  const threads = startIngestThreads(options.workers, options.spill, {
    onProblem: options.onProblem,
    onConcatenated: options.onConcatenated,
    onStart: next,
    onMessage: (m, send) => {
      switch (m.type) {
        case 'spill':
          spills.push(m.file);
          break;
        case 'progress':
          progress(m.bytes, m.events);
          break;
        case 'staged': {
          outstanding--;
          const f = files[m.src] as SourceFile;
          if (m.ok) {
            ready.push({
              src: m.src,
              path: f.path,
              staging: staging.get(m.src) as string,
              records: m.records,
              bytes: m.bytes,
              direct: m.direct,
            });
          } else {
            rmSync(staging.get(m.src) as string, { force: true });
            exact(m.src);
          }
          flushReady(tasks.every((t) => t.type !== 'stage'));
          next(send);
          checkDone();
          break;
        }
        case 'lines-done':
          outstanding--;
          total.events += m.stats.events;
          total.rejected += m.stats.rejected;
          progress(0, m.stats.events);
          rmSync(staging.get(m.src) as string, { force: true });
          next(send);
          checkDone();
          break;
        case 'done':
          outstanding--;
          addStats(total, m.stats);
          next(send);
          checkDone();
          break;
      }
    },
  });

  checkDone();
  try {
    await Promise.race([finished, threads.running]);
    // Every worker gets one stop, whether idle or not; each flushes its last spill file first.
    threads.stop();
    await threads.running;
  } catch (error) {
    await threads.terminate();
    throw error;
  }
  if (failed) throw failed;
  await engine.fillClientCdn(publishedCdnOf);
  // Every exact-reader event in one statement: a commit per spill file costs more as the table grows.
  const t2 = performance.now();
  await engine.insertJsonLines(spills, 'events_local', 'src, line, kind, |NULL, NULL, 2, ');
  for (const f of spills) rmSync(f, { force: true });
  timing.spills = performance.now() - t2;
  options.onTiming?.(`fast-load ms: ${JSON.stringify(timing)}`);
  return total;
}
