/**
 * The port every aggregate query runs through. `queries/*.sql` are written once in Athena (Trino)
 * SQL with positional `?` parameters; an engine binds the values, never splices them into text.
 */

export type SqlValue = string | number | boolean | null;

export interface QueryStats {
  /** Bytes the engine read (Athena bills by this; DuckDB leaves it unset). */
  bytesScanned?: number;
  /** Estimated cost in USD (Athena). */
  costUsd?: number;
  elapsedMs: number;
}

export type Row = Record<string, unknown>;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  stats: QueryStats;
}

export interface QueryEngine {
  readonly name: 'duckdb' | 'athena';
  /** Runs one query file with its parameters, by name (`queries/<name>.sql`). */
  run<R extends Row = Row>(query: string, params?: Record<string, SqlValue>): Promise<QueryResult<R>>;
  close(): Promise<void>;
}
