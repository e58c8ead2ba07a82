import { scopeToAccounts } from './account-scope.js';
import { athenaLiteral } from './athena-params.js';
import type { QueryEngine, QueryResult, Row, SqlValue } from './query-engine.js';
import { bindParams, loadSqlFile } from './sql-files.js';

/**
 * The Athena QueryEngine: the same queries/*.sql as DuckDB, run on the Glue table over events/.
 * The SDK stays behind AthenaPort (adapters/athena.ts implements it), so this file is the
 * protocol only: start with bound parameters, poll with backoff, page through results, type the
 * rows, stop the query on timeout or abort, and report what it scanned and cost.
 */

export type AthenaState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface AthenaStatus {
  state: AthenaState;
  reason?: string;
  bytesScanned?: number;
  /** `DML` for SELECT: its first result row is the header. */
  statementType?: string;
}

export interface AthenaPage {
  columns: ReadonlyArray<{ name: string; type: string }>;
  rows: ReadonlyArray<ReadonlyArray<string | null>>;
  nextToken?: string;
}

export interface AthenaStart {
  queryString: string;
  executionParameters?: string[];
  workGroup: string;
  database: string;
  catalog?: string;
}

export interface AthenaPort {
  startQuery(input: AthenaStart): Promise<string>;
  getQuery(id: string): Promise<AthenaStatus>;
  /** The result pages of a finished query, in order (the adapter uses the SDK's paginator). */
  results(id: string): AsyncIterable<AthenaPage>;
  stopQuery(id: string): Promise<void>;
}

export interface AthenaEngineOptions {
  port: AthenaPort;
  workGroup: string;
  database: string;
  catalog?: string;
  /** `--account`: every query reads only these accounts' web ACLs (account-scope.ts). */
  accounts?: readonly string[];
  queriesDir?: string;
  /** A query still running after this long is stopped. Default 10 minutes. */
  timeoutMs?: number;
  /** First wait between status checks; doubles up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** Aborting stops the running query. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Athena's price: $5 per TB scanned, rounded up to the MB, at least 10 MB per query. */
export const USD_PER_TB = 5;
const MB = 1024 * 1024;
const TB = 1024 ** 4;
const MIN_BILLED_BYTES = 10 * MB;

export function athenaCostUsd(bytesScanned: number): number {
  const billed = Math.max(MIN_BILLED_BYTES, Math.ceil(bytesScanned / MB) * MB);
  return (billed / TB) * USD_PER_TB;
}

export class AthenaQueryError extends Error {
  constructor(
    message: string,
    readonly queryExecutionId: string,
    readonly state: AthenaState | 'TIMEOUT' | 'ABORTED',
    readonly bytesScanned?: number,
  ) {
    super(message);
    this.name = 'AthenaQueryError';
  }
}

export class AthenaEngine implements QueryEngine {
  readonly name = 'athena' as const;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: AthenaEngineOptions) {
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? Date.now;
  }

  async run<R extends Row = Row>(
    query: string,
    params: Record<string, SqlValue> = {},
  ): Promise<QueryResult<R>> {
    const { port, signal } = this.options;
    const started = this.now();
    const file = loadSqlFile(query, this.options.queriesDir);
    const parameters = bindParams(file, params).map((value, i) => {
      const declared = file.params[i];
      return athenaLiteral(value, declared?.type ?? 'string', `queries/${file.name}.sql: ${declared?.name}`);
    });
    signal?.throwIfAborted();

    const id = await port.startQuery({
      queryString: this.options.accounts?.length
        ? scopeToAccounts(file.text, [this.options.database, 'events'], this.options.accounts)
        : file.text,
      workGroup: this.options.workGroup,
      database: this.options.database,
      ...(parameters.length > 0 ? { executionParameters: parameters } : {}),
      ...(this.options.catalog ? { catalog: this.options.catalog } : {}),
    });
    const status = await this.waitFor(id, file.name, started);
    const rows = await this.readRows<R>(id, status.statementType ?? 'DML');
    const bytesScanned = status.bytesScanned ?? 0;
    return {
      rows,
      stats: { bytesScanned, costUsd: athenaCostUsd(bytesScanned), elapsedMs: this.now() - started },
    };
  }

  /**
   * Runs one statement of our own (DDL: the raw-log table and its view), waiting for it to finish.
   * Never with log-derived text.
   */
  async execute(statement: string, name = 'statement'): Promise<{ bytesScanned: number; elapsedMs: number }> {
    const started = this.now();
    this.options.signal?.throwIfAborted();
    const id = await this.options.port.startQuery({
      queryString: statement,
      workGroup: this.options.workGroup,
      database: this.options.database,
      ...(this.options.catalog ? { catalog: this.options.catalog } : {}),
    });
    const status = await this.waitFor(id, name, started);
    return { bytesScanned: status.bytesScanned ?? 0, elapsedMs: this.now() - started };
  }

  private async waitFor(id: string, name: string, started: number): Promise<AthenaStatus> {
    const { signal } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 10 * 60_000;
    const maxPoll = this.options.maxPollMs ?? 5_000;
    let delay = this.options.pollMs ?? 250;
    for (;;) {
      const status = await this.options.port.getQuery(id);
      if (status.state === 'SUCCEEDED') return status;
      if (status.state === 'FAILED' || status.state === 'CANCELLED') {
        const why = status.reason ? `: ${status.reason}` : '';
        throw new AthenaQueryError(
          `Athena query ${name} (${id}) ${status.state.toLowerCase()}${why}`,
          id,
          status.state,
          status.bytesScanned,
        );
      }
      const left = started + timeoutMs - this.now();
      if (left <= 0) await this.stop(id, name, 'TIMEOUT', `timed out after ${timeoutMs} ms`);
      try {
        await this.sleep(Math.min(delay, left), signal);
      } catch (error) {
        if (signal?.aborted) await this.stop(id, name, 'ABORTED', 'aborted');
        throw error;
      }
      if (signal?.aborted) await this.stop(id, name, 'ABORTED', 'aborted');
      delay = Math.min(delay * 2, maxPoll);
    }
  }

  private async stop(id: string, name: string, state: 'TIMEOUT' | 'ABORTED', why: string): Promise<never> {
    // Stop it even though we give up on it: a query left running keeps scanning, and billing.
    await this.options.port.stopQuery(id).catch(() => undefined);
    throw new AthenaQueryError(`Athena query ${name} (${id}) ${why}; stopped`, id, state);
  }

  private async readRows<R extends Row>(id: string, statementType: string): Promise<R[]> {
    const rows: R[] = [];
    let first = true;
    this.options.signal?.throwIfAborted();
    for await (const page of this.options.port.results(id)) {
      const data = first && statementType === 'DML' ? page.rows.slice(1) : page.rows;
      for (const values of data) rows.push(typedRow(page.columns, values) as R);
      first = false;
      this.options.signal?.throwIfAborted();
    }
    return rows;
  }

  async close(): Promise<void> {}
}

function typedRow(
  columns: ReadonlyArray<{ name: string; type: string }>,
  values: ReadonlyArray<string | null>,
): Row {
  const row: Row = {};
  columns.forEach((column, i) => {
    row[column.name] = typedValue(column.type, values[i] ?? null);
  });
  return row;
}

/** Athena returns every value as text; the column's type says what it was. */
export function typedValue(type: string, text: string | null): unknown {
  if (text === null) return null;
  switch (type.toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint':
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'array':
      return parseArray(text);
    default:
      return text;
  }
}

/**
 * Athena prints array(varchar) as `[a, b, c]`, unquoted, so an element that itself contains ", "
 * (only a hostile cookie name could) comes back split in two. That changes a display value, never
 * a query: values go back to Athena only as bound literals.
 */
function parseArray(text: string): unknown {
  if (!text.startsWith('[') || !text.endsWith(']')) return text;
  const inner = text.slice(1, -1);
  return inner.length === 0 ? [] : inner.split(', ');
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
