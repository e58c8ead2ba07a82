import type { Config } from '../../schemas/config.js';
import type { Report } from '../../schemas/report.js';
import { DuckDbEngine } from '../engines/duckdb.js';
import { RejectLog, type RejectSummary } from '../ingest/rejects.js';
import { listSourceFiles } from '../ingest/sources.js';
import { suggest } from '../suggest/index.js';
import { type IngestProgress, type IngestStats, ingestFiles } from './ingest-files.js';
import { analyze, completeReport } from './run-analysis.js';

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

/** The whole local chain: load, query, fold, suggest — the report `analyze` prints. */
export async function analyzeLocal(
  paths: readonly string[],
  options: Parameters<typeof loadLocal>[1] & { config: Config; sinceMs?: number },
): Promise<Report> {
  const load = await loadLocal(paths, options);
  try {
    const analysis = await analyze(load.engine, { sinceMs: options.sinceMs });
    const { suggestions, notSuggested, spared } = suggest(analysis, options.config);
    return completeReport(analysis, load.stats, load.rejects, {
      suggestions,
      notSuggested,
      sparedSources: spared,
    });
  } finally {
    await load.engine.close();
  }
}
