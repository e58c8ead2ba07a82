import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResult,
  type DuckDBType,
  type DuckDBValue,
  VARCHAR,
} from '@duckdb/node-api';
import { type ColumnType, EVENT_COLUMNS, type WafEvent } from '../../schemas/event.js';
import type { QueryEngine, QueryResult, Row, SqlValue } from './query-engine.js';
import { SpillWriter } from './spill-writer.js';
import { bindParams, loadSqlFile, type ParamType } from './sql-files.js';
import { TRINO_MACROS } from './trino-macros.js';

const DUCK_TYPE: Record<ColumnType, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  'array<string>': 'VARCHAR[]',
};

const PARAM_TYPE: Record<ParamType, DuckDBType> = {
  string: VARCHAR,
  bigint: BIGINT,
  double: DOUBLE,
  boolean: BOOLEAN,
};

export interface DuckDbOptions {
  /** Database file; in memory when absent. */
  path?: string;
  threads?: number;
  /** DuckDB's memory limit, e.g. `1GB`; past it, it spills to a temporary folder on disk. */
  memoryLimit?: string;
  /** Where it spills (an in-memory database's tables too). */
  tempDirectory?: string;
  /** Off: loads need far less memory (every query that needs an order says so). */
  preserveInsertionOrder?: boolean;
  queriesDir?: string;
  /** How results come back: one JSON text a row (the default, faster) or value by value. */
  rowsAs?: 'json' | 'values';
  /**
   * Limits to raise the memory limit to, one after another, when a query or a load runs out of
   * memory: a limit that keeps a small input's memory flat is too little for the aggregates of a
   * large one, whose DISTINCT and list aggregates DuckDB cannot write out.
   */
  memoryLimitSteps?: readonly string[];
  /**
   * Give freed memory back to the system soon (after any task that allocated 16 MB, and from the
   * allocator's background thread) instead of keeping up to 128 MB of it per task: at the
   * benchmark's 1x and 4x inputs the peak was about 50 MiB lower, in the same time.
   */
  returnFreedMemory?: boolean;
}

const MEMORY_LIMIT = /^[1-9][0-9]*(MB|GB)$/;
const isOutOfMemory = (error: unknown) =>
  error instanceof Error && error.message.startsWith('Out of Memory Error');

const SINK_BATCH = 200_000;

export class DuckDbEngine implements QueryEngine {
  readonly name = 'duckdb' as const;

  /** The run before this one: results stream one at a time on the connection. */
  private queue: Promise<void> = Promise.resolve();
  private readonly stepsLeft: string[];
  /** The memory limits the engine was raised to, in order (memoryLimitSteps). */
  readonly memoryRaises: string[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly queriesDir: string | undefined,
    private readonly rowsAs: 'json' | 'values',
    memoryLimitSteps: readonly string[],
  ) {
    this.stepsLeft = [...memoryLimitSteps];
  }

  static async create(options: DuckDbOptions = {}): Promise<DuckDbEngine> {
    const steps = options.memoryLimitSteps ?? [];
    const bad = steps.find((step) => !MEMORY_LIMIT.test(step));
    if (bad !== undefined) throw new Error(`memory limit step ${JSON.stringify(bad)}: e.g. 512MB or 2GB`);
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.returnFreedMemory) {
      config.allocator_flush_threshold = '16MB';
      config.allocator_background_threads = 'true';
    }
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    if (options.preserveInsertionOrder === false) config.preserve_insertion_order = 'false';
    const instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
    const connection = await instance.connect();
    for (const macro of TRINO_MACROS) await connection.run(macro);
    const columns = EVENT_COLUMNS.map((c) => `${c.name} ${DUCK_TYPE[c.type]}`).join(', ');
    await connection.run(`CREATE TABLE IF NOT EXISTS events (${columns})`);
    return new DuckDbEngine(instance, connection, options.queriesDir, options.rowsAs ?? 'json', steps);
  }

  /**
   * Runs a statement that changes nothing when it fails (a query, or one INSERT, which rolls back
   * whole), again at the next memory limit step each time it runs out of memory.
   */
  private async withMemorySteps<T>(work: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await work();
      } catch (error) {
        const next = isOutOfMemory(error) ? this.stepsLeft.shift() : undefined;
        if (next === undefined) throw error;
        await this.connection.run(`SET memory_limit = '${next}'`);
        this.memoryRaises.push(next);
      }
    }
  }

  /**
   * Loads events held in memory (tests, small inputs) through spill files, as the ingest does;
   * `trimUnacted` as the local reader loads them (FLEET_FACT_COLUMNS).
   */
  async loadEvents(events: Iterable<WafEvent>, options: { trimUnacted?: boolean } = {}): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'waftune-'));
    const full: string[] = [];
    try {
      const to = { dir, trimUnacted: options.trimUnacted ?? false };
      const writer = new SpillWriter(to, 'events', (file) => full.push(file), SINK_BATCH);
      let total = 0;
      for (const e of events) {
        writer.add(e);
        total++;
      }
      writer.close();
      for (const file of full) await this.insertJsonLines(file);
      return total;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Loads JSON-lines files of flat events (e.g. Firehose's events/ objects) into `events`. */
  async insertJsonLines(file: string | readonly string[], table = 'events', extra = ''): Promise<void> {
    const files = typeof file === 'string' ? [file] : file;
    if (files.length === 0) return;
    const columns = EVENT_COLUMNS.map((c) => `'${c.name}': '${DUCK_TYPE[c.type]}'`).join(', ');
    const names = EVENT_COLUMNS.map((c) => c.name).join(', ');
    // The paths are ours (temp files or files the user named), quoted as literals because table
    // functions take no bound parameters for them.
    const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;
    const [extraCols, extraValues] = extra === '' ? ['', ''] : extra.split('|');
    const insert = `INSERT INTO ${table} (${extraCols}${names}) SELECT ${extraValues}${names} FROM read_json(${list}, format = 'newline_delimited', columns = {${columns}}, maximum_object_size = 16777216)`;
    await this.withMemorySteps(() => this.connection.run(insert));
  }

  /**
   * Turns `events` into a view over `events_local`, the table the fast local reader fills: the
   * events columns plus the source file (src), line and kind (0 read in SQL, 1 a record left to the
   * exact reader, which is not an event, 2 an event from the exact reader).
   */
  async prepareStagedLoad(): Promise<void> {
    const columns = EVENT_COLUMNS.map((c) => `${c.name} ${DUCK_TYPE[c.type]}`).join(', ');
    const names = EVENT_COLUMNS.map((c) => c.name).join(', ');
    await this.connection.run(
      `CREATE TABLE events_local (src INTEGER, line BIGINT, kind TINYINT, ${columns})`,
    );
    await this.connection.run('DROP TABLE events');
    await this.connection.run(`CREATE VIEW events AS SELECT ${names} FROM events_local WHERE kind <> 1`);
  }

  /**
   * Sets `client_cdn` on the rows the fast reader read in SQL (kind 0), from each distinct address
   * through `cdnOf` (publishedCdnOf, the very function the exact reader calls). The addresses go
   * back in through an appender, never as SQL text.
   */
  async fillClientCdn(cdnOf: (address: string) => string | null): Promise<void> {
    const reader = await this.connection.runAndReadAll(
      'SELECT DISTINCT client_ip FROM events_local WHERE kind = 0 AND client_ip IS NOT NULL',
    );
    const hits: Array<[string, string]> = [];
    for (const [ip] of reader.getRowsJS()) {
      const cdn = cdnOf(ip as string);
      if (cdn !== null) hits.push([ip as string, cdn]);
    }
    if (hits.length === 0) return;
    await this.connection.run('CREATE OR REPLACE TABLE client_cdn_of (client_ip VARCHAR, cdn VARCHAR)');
    const appender = await this.connection.createAppender('client_cdn_of');
    for (const [ip, cdn] of hits) {
      appender.appendVarchar(ip);
      appender.appendVarchar(cdn);
      appender.endRow();
    }
    appender.closeSync();
    await this.connection.run(
      'UPDATE events_local SET client_cdn = c.cdn FROM client_cdn_of c WHERE events_local.kind = 0 AND events_local.client_ip = c.client_ip',
    );
    await this.connection.run('DROP TABLE client_cdn_of');
  }

  /**
   * Runs a query of `queries/`, reading its result a chunk at a time: the rows are built as they
   * come, with each distinct text kept once (the same web ACL, host and user agent recur in every
   * group), so a large result holds its rows and no more. One result streams at a time on the
   * connection (a new statement would end a pending stream), so runs wait their turn.
   */
  run<R extends Row = Row>(query: string, params: Record<string, SqlValue> = {}): Promise<QueryResult<R>> {
    return this.inTurn(() => this.withMemorySteps(() => this.streamRows<R>(query, params)));
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(work);
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async streamRows<R extends Row>(
    query: string,
    params: Record<string, SqlValue>,
  ): Promise<QueryResult<R>> {
    const started = performance.now();
    const file = loadSqlFile(query, this.queriesDir);
    const values = bindParams(file, params);
    const types = file.params.map((p) => PARAM_TYPE[p.type]);
    const bound = values.map((v, i) => (v !== null && file.params[i]?.type === 'bigint' ? BigInt(v) : v));
    const text = inlineCtes(file.text);
    const keep = keeper();
    // Each row as one JSON text that DuckDB writes and JSON.parse reads: on the benchmark's 69k
    // blocked groups 1.1 s against 2.4 s for 34 values a row through the binding. The texts are
    // DuckDB's own JSON of its values (valid UTF-8, every character escaped that must be).
    const fromJson = () => (values: readonly unknown[]) => {
      const row = JSON.parse(values[0] as string) as Row;
      for (const k in row) row[k] = keep(row[k]);
      return row;
    };
    const fromValues = (result: DuckDBResult) => {
      const build = rowBuilder(result.deduplicatedColumnNames());
      return (values: readonly unknown[]) => build(values, (v) => keep(toPlain(v, keep)));
    };
    const byValue = () => this.readRows<R>(text, bound, types, fromValues);
    let rows: R[];
    if (this.rowsAs === 'values') rows = await byValue();
    else {
      try {
        rows = await this.readRows<R>(
          `SELECT to_json(q) AS row FROM (\n${text}\n) q`,
          bound,
          types,
          fromJson,
        );
      } catch (error) {
        // Out of memory: the next limit step runs the query again (withMemorySteps).
        if (isOutOfMemory(error)) throw error;
        // A result to_json cannot carry (a NaN, two columns of one name): read value by value,
        // which also says what is wrong when the query itself failed.
        rows = await byValue();
      }
    }
    return { rows, stats: { elapsedMs: performance.now() - started } };
  }

  private async readRows<R extends Row>(
    text: string,
    bound: DuckDBValue[],
    types: DuckDBType[],
    rowOf: (result: DuckDBResult) => (values: readonly unknown[]) => Row,
  ): Promise<R[]> {
    const result = await this.connection.stream(text, bound, types);
    const toRow = rowOf(result);
    const rows: R[] = [];
    for await (const chunk of result.yieldRowsJs()) for (const values of chunk) rows.push(toRow(values) as R);
    return rows;
  }

  /** Runs a statement without reading a result; never with log-derived text. */
  sqlRun(text: string): Promise<void> {
    return this.inTurn(async () => {
      await this.connection.run(text);
    });
  }

  /** Raw SQL for tests and the benchmark; never with log-derived text. */
  sql(text: string): Promise<Row[]> {
    return this.inTurn(async () => {
      const reader = await this.connection.runAndReadAll(text);
      return reader.getRowObjectsJS().map((r) => toPlain(r) as Row);
    });
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * One result's repeated values kept once: the same web ACL, host and user agent recur in every
 * group, and so do the lists of labels, signals and cookie names (frozen: rows share them).
 */
function keeper(): (value: unknown) => unknown {
  const texts = new Map<string, string>();
  const lists = new Map<string, readonly string[]>();
  const keep = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const kept = texts.get(value);
      if (kept !== undefined) return kept;
      texts.set(value, value);
      return value;
    }
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      const key = JSON.stringify(value);
      const kept = lists.get(key);
      if (kept !== undefined) return kept;
      const list = Object.freeze(value.map(keep) as string[]);
      lists.set(key, list);
      return list;
    }
    return value;
  };
  return keep;
}

/**
 * DuckDB materializes a CTE that is referenced more than once: a copy of every event's columns for
 * `w`, `hops` and `c` in ip_profile.sql, which then took 10.9-16.0 s on the benchmark's million
 * events, 1.2-2.7 s inlined (the same rows; four runs each on a machine busy with other work).
 * Trino inlines them and has no `NOT MATERIALIZED`, so the queries are written plainly and this
 * engine marks each CTE head, which the files of `queries/` write at the start of a line
 * (`name AS (` or `WITH name AS (`), as inlined.
 */
export function inlineCtes(sql: string): string {
  return sql.replace(/^(WITH )?([a-z_][a-z0-9_]*) AS \(/gm, '$1$2 AS NOT MATERIALIZED (');
}

/**
 * A function that turns one result row's values into an object literal of the query's columns.
 * Objects given their properties one computed key at a time fall into V8's dictionary mode, about
 * four times the memory of a literal's fixed shape: that was most of a large result's heap. The
 * names are the query's own column names (queries/), written as JSON string literals.
 */
function rowBuilder(
  names: readonly string[],
): (values: readonly unknown[], plain: (v: unknown) => unknown) => Row {
  const fields = names.map((n, i) => `${JSON.stringify(n)}: plain(v[${i}])`).join(',\n');
  return new Function('v', 'plain', `return {\n${fields}\n};`) as (
    values: readonly unknown[],
    plain: (v: unknown) => unknown,
  ) => Row;
}

/** DuckDB hands back bigint for BIGINT and HUGEINT; the domain works in plain numbers. */
function toPlain(value: unknown, inner: (value: unknown) => unknown = toPlain): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(inner);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = inner(v);
    return out;
  }
  return value;
}
