import { DuckDbEngine } from '../engines/duckdb.js';
import { RejectLog, type RejectSummary } from '../ingest/rejects.js';
import { listSourceFiles } from '../ingest/sources.js';
import { type IngestProgress, type IngestStats, ingestFiles } from './ingest-files.js';

export interface LocalLoad {
  engine: DuckDbEngine;
  stats: IngestStats;
  rejects: RejectSummary;
}

/**
 * The local chain (DESIGN §1): files -> the Lambda's normalize + classify -> DuckDB `events`.
 * The caller owns the engine and closes it.
 */
export async function loadLocal(
  paths: readonly string[],
  options: {
    rejectsFile: string | null;
    onStart?: (totalBytes: number) => void;
    progress?: IngestProgress;
    threads?: number;
  },
): Promise<LocalLoad> {
  const files = await listSourceFiles(paths);
  options.onStart?.(files.reduce((s, f) => s + f.bytes, 0));
  const engine = await DuckDbEngine.create({ threads: options.threads });
  try {
    const sink = engine.eventSink();
    const rejectLog = new RejectLog(options.rejectsFile);
    let stats: IngestStats;
    try {
      stats = await ingestFiles(files, sink.add, rejectLog, options.progress);
    } finally {
      await sink.close();
    }
    return { engine, stats, rejects: await rejectLog.close() };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
