import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { EventView } from '../../src/classify/signal.js';
import { TRINO_MACROS } from '../../src/engines/trino-macros.js';

const EVENT_TEXT = [
  'host',
  'client_ip',
  'method',
  'path',
  'query',
  'rule_action',
  'rule_group',
  'rule_id',
  'terminating_rule_type',
  'condition_type',
  'match_location',
  'matched_data',
  'user_agent',
] as const;

/**
 * Evaluates SQL expressions on DuckDB over a table of rows, for the differential tests: each
 * expression is evaluated once per row; values go in through the appender, never as SQL text.
 */
export class DuckEval {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async create(): Promise<DuckEval> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const m of TRINO_MACROS) await connection.run(m);
    return new DuckEval(instance, connection);
  }

  /**
   * `expr` over a column `v` holding each string; one result per input, in order. A text result
   * comes back prefixed inside SQL and unprefixed here: @duckdb/node-api reads text with a default
   * TextDecoder, which drops a leading U+FEFF.
   */
  async strings(values: readonly string[], expr: string): Promise<unknown[]> {
    await this.connection.run('CREATE OR REPLACE TABLE s (i INTEGER, v VARCHAR)');
    const appender = await this.connection.createAppender('s');
    values.forEach((v, i) => {
      appender.appendInteger(i);
      appender.appendVarchar(v);
      appender.endRow();
    });
    appender.closeSync();
    const reader = await this.connection.runAndReadAll(
      `SELECT i, CASE WHEN typeof(${expr}) = 'VARCHAR' THEN '#' || CAST(${expr} AS VARCHAR) END AS t, ${expr} AS r FROM s ORDER BY i`,
    );
    return reader.getRowObjectsJS().map((r) => (typeof r.t === 'string' ? r.t.slice(1) : r.r));
  }

  /** `expr` over a table of event views (the columns signals read); one result per event, in order. */
  async events(rows: readonly EventView[], expr: string): Promise<unknown[]> {
    const text = EVENT_TEXT.map((c) => `${c} VARCHAR`).join(', ');
    await this.connection.run(
      `CREATE OR REPLACE TABLE e_raw (i INTEGER, ${text}, labels_json VARCHAR, cookies_json VARCHAR, wp_session BOOLEAN, cookie_redacted BOOLEAN)`,
    );
    const appender = await this.connection.createAppender('e_raw');
    rows.forEach((r, i) => {
      appender.appendInteger(i);
      for (const c of EVENT_TEXT) {
        const v = r[c];
        if (v === null) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.appendVarchar(JSON.stringify(r.labels));
      appender.appendVarchar(JSON.stringify(r.cookie_names));
      appender.appendBoolean(r.wp_session);
      appender.appendBoolean(r.cookie_redacted);
      appender.endRow();
    });
    appender.closeSync();
    const reader = await this.connection.runAndReadAll(
      `SELECT i, ${expr} AS r FROM (SELECT *, from_json(labels_json, '["VARCHAR"]') AS labels, from_json(cookies_json, '["VARCHAR"]') AS cookie_names FROM e_raw) ORDER BY i`,
    );
    return reader.getRowObjectsJS().map((r) => r.r);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Strings made of the characters engines disagree on, and the ASCII that patterns look for. */
export const TRAPS = [
  '\u000b', // \v: RE2's \s lacks it
  '\u00a0',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
  '\u017f', // ſ: RE2's (?i) folds it to s
  '\u212a', // Kelvin sign: lower-cases to k
  '\u0130', // İ: lower-cases to i (with a dot)
  '\u00df', // ß: upper-cases to SS
  '\u00e9',
  '\r',
  '\n',
  '\t',
  ' ',
  '\u{1f600}', // astral: one code point, two UTF-16 units
  '\u0000',
];
