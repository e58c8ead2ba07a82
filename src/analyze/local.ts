import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../schemas/config.js';
import type { WafEvent } from '../../schemas/event.js';
import type { ConcatenatedFile, Report } from '../../schemas/report.js';
import { accountPredicate } from '../engines/account-scope.js';
import { DuckDbEngine } from '../engines/duckdb.js';
import { type SpillTo, SpillWriter } from '../engines/spill-writer.js';
import type { RecordSource } from '../ingest/record-source.js';
import { RejectLog, type RejectSummary } from '../ingest/rejects.js';
import { listSourceFiles } from '../ingest/sources.js';
import { suggest } from '../suggest/index.js';
import { fastLoad } from './fast-load.js';
import {
  emptyStats,
  type IngestProgress,
  type IngestStats,
  ingestFile,
  ingestRecords,
} from './ingest-files.js';
import { defaultWorkers, ingestInWorkers } from './ingest-pool.js';
import { completeReport, type FleetResults, foldFleet, queryFleet } from './run-analysis.js';

export interface LocalLoad {
  engine: DuckDbEngine;
  stats: IngestStats;
  rejects: RejectSummary;
  /** Files with records written back to back on a line (all read), one entry each. */
  concatenated: ConcatenatedFile[];
  /** Removes the engine's temporary database. */
  close: () => Promise<void>;
}

export interface LoadOptions {
  rejectsFile: string | null;
  onStart?: (totalBytes: number) => void;
  progress?: IngestProgress;
  /** Parsing threads; 1 parses in this thread. Default: the cores there are. */
  workers?: number;
  /** DuckDB's memory limit; past it the table spills to a temporary folder, so memory stays flat. */
  memoryLimit?: string;
  /** Records from services (CloudWatch Logs), read after the files, in this thread. */
  streams?: readonly RecordSource[];
  /** Only the events of these AWS accounts' web ACLs (`--account`): 12-digit ids. */
  accounts?: readonly string[];
  /**
   * `exact` (the default): the exact reader (the Lambda's parse, normalize and classify) reads
   * every record. `fast`: DuckDB reads the records no rule matched, with the normalization and
   * request signals compiled to SQL, and the exact reader the rest (src/analyze/fast-load.ts); the
   * differential tests hold it to `exact`. On this project's 2-core benchmark it is not yet the
   * faster one (README, Benchmark), so it is not the default.
   */
  reader?: 'fast' | 'exact';
  /**
   * Which columns of the events no rule acted on are loaded: `fleet-facts` (the default), the
   * FLEET_FACT_COLUMNS that queries/ read of them, or `all` (the differential tests, which hold
   * the readers equal column by column).
   */
  eventColumns?: 'fleet-facts' | 'all';
  /**
   * Where the run's timings go, a line each (the benchmark's profile); none by default. A line can
   * quote DuckDB's message about a refused batch, and so a record: the printer makes it inert.
   */
  onTiming?: (line: string) => void;
}

/** Spill files (25,000 events each) per load statement: a million events, about 0.7 GB of JSON on disk. */
const SPILL_BATCH = 40;

/** Memory-backed staging where the machine has it: the staged copies are written once and read once. */
function stagingRoot(work: string): string {
  return existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', 'waftune-')) : join(work, 'staging');
}

/**
 * The local chain (DESIGN §1): files -> the Lambda's normalize + classify -> DuckDB `events`.
 * The caller closes the returned load.
 */
export async function loadLocal(paths: readonly string[], options: LoadOptions): Promise<LocalLoad> {
  const files = await listSourceFiles(paths);
  options.onStart?.(files.reduce((s, f) => s + f.bytes, 0));
  const work = mkdtempSync(join(tmpdir(), 'waftune-'));
  const fast = (options.reader ?? 'exact') === 'fast';
  const spillTo = { dir: work, trimUnacted: (options.eventColumns ?? 'fleet-facts') === 'fleet-facts' };
  const staging = fast ? stagingRoot(work) : null;
  // The table is a database file in the work folder, so that past the memory limit DuckDB writes
  // its blocks out and memory stays flat. In memory it was at most a second faster at the
  // benchmark's million events, but at four million it ran out of memory while loading (192 MB
  // limit). The fast reader's staged batches need 32 MiB read buffers per file, hence its limit.
  const engine = await DuckDbEngine.create({
    path: join(work, 'events.duckdb'),
    memoryLimit: options.memoryLimit ?? (fast ? '512MB' : '192MB'),
    // Four million events needed 512 MB for the client profiles (measured); larger inputs, more.
    memoryLimitSteps: ['512MB', '1GB', '2GB', '4GB'],
    returnFreedMemory: true,
    tempDirectory: join(work, 'duckdb-tmp'),
    preserveInsertionOrder: false,
  });
  const close = async () => {
    await engine.close();
    rmSync(work, { recursive: true, force: true });
    if (staging) rmSync(staging, { recursive: true, force: true });
  };
  try {
    const rejectLog = new RejectLog(options.rejectsFile);
    const onProblem = (p: Parameters<RejectLog['add']>[0]) => rejectLog.add(p);
    const concatenated: ConcatenatedFile[] = [];
    const onConcatenated = (c: ConcatenatedFile) => concatenated.push(c);
    const workers = options.workers ?? defaultWorkers(files.length);
    // With the fast reader `events` is a view over events_local; the exact reader's events are kind 2.
    const loadSpills = async (batch: readonly string[]) => {
      if (staging) await engine.insertJsonLines(batch, 'events_local', 'src, line, kind, |NULL, NULL, 2, ');
      else await engine.insertJsonLines(batch);
      for (const file of batch) rmSync(file, { force: true });
    };
    // Spill files load SPILL_BATCH at a time, each batch one statement that reads them in parallel
    // and commits: a statement a file paid its fixed cost each time, and one transaction around
    // them all held every loaded row in memory until the end (README, Benchmark).
    const pending: string[] = [];
    const loadSpill = async (file: string) => {
      pending.push(file);
      if (pending.length >= SPILL_BATCH) await loadSpills(pending.splice(0));
    };
    const loadPending = () => loadSpills(pending.splice(0));
    let stats: IngestStats;
    if (staging) {
      stats = await fastLoad(engine, files, {
        workers,
        spill: spillTo,
        stagingDir: staging,
        onProblem,
        onConcatenated,
        progress: options.progress,
        onTiming: options.onTiming,
      });
    } else if (workers > 1) {
      stats = await ingestInWorkers(files, {
        workers,
        spill: spillTo,
        onProblem,
        onConcatenated,
        progress: options.progress,
        onSpill: loadSpill,
      });
    } else stats = emptyStats();
    const progress = () => options.progress?.({ bytes: stats.bytes, events: stats.events });
    // One thread: files here too; then the record sources (services), always here.
    if (!staging && workers <= 1) {
      await ingestHere(
        spillTo,
        'events',
        loadSpill,
        files.map((f) => (emit) => ingestFile(f.path, stats, emit, onProblem, progress, onConcatenated)),
      );
    }
    await ingestHere(
      spillTo,
      'records',
      loadSpill,
      (options.streams ?? []).map(
        (source) => (emit) => ingestRecords(source, stats, emit, onProblem, progress),
      ),
    );
    await loadPending();
    if (options.accounts?.length)
      await keepAccounts(engine, options.accounts, staging ? 'events_local' : 'events');
    return { engine, stats, rejects: await rejectLog.close(), concatenated, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Runs ingest steps one after another in this thread, spilling their events to files and loading
 * each file into DuckDB as soon as it is full.
 */
async function ingestHere(
  spillTo: SpillTo,
  prefix: string,
  load: (file: string) => Promise<void>,
  steps: readonly ((emit: (event: WafEvent) => void) => Promise<void>)[],
): Promise<void> {
  if (steps.length === 0) return;
  const full: string[] = [];
  const spill = new SpillWriter(spillTo, prefix, (file) => full.push(file));
  const loadFull = async () => {
    for (let file = full.shift(); file !== undefined; file = full.shift()) await load(file);
  };
  for (const step of steps) {
    await step((e) => spill.add(e));
    await loadFull();
  }
  spill.close();
  await loadFull();
}

const cpuSeconds = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1e6).toFixed(1);

/** The whole local chain: load, query, fold, suggest — the report `analyze` prints. */
export async function analyzeLocal(
  paths: readonly string[],
  options: LoadOptions & { config: Config; sinceMs?: number },
): Promise<Report> {
  const started = performance.now();
  const load = await loadLocal(paths, options);
  const loaded = performance.now();
  const loadCpu = process.cpuUsage();
  let results: FleetResults;
  try {
    results = await queryFleet(load.engine, {
      sinceMs: options.sinceMs,
      trustedProxies: options.config.trustedProxies,
    });
  } finally {
    // The fold and the suggester need only the query results: DuckDB's memory goes back first.
    await load.close();
  }
  options.onTiming?.(
    `load ${Math.round(loaded - started)} ms (${cpuSeconds(loadCpu)} s CPU), queries ${Math.round(performance.now() - loaded)} ms (${cpuSeconds(process.cpuUsage(loadCpu))} s CPU)`,
  );
  const analysis = foldFleet(results);
  const { suggestions, notSuggested, spared } = suggest(analysis, options.config);
  return completeReport(
    analysis,
    load.stats,
    load.rejects,
    { suggestions, notSuggested, sparedSources: spared },
    load.concatenated,
  );
}

/** Cuts the loaded events to some accounts (the predicate checks the ids; nothing else is in it). */
async function keepAccounts(engine: DuckDbEngine, accounts: readonly string[], table: string): Promise<void> {
  await engine.sql(`DELETE FROM ${table} WHERE NOT (${accountPredicate(accounts)})`);
}
