import type { SqlDialect } from '../classify/sql-fold.js';

/**
 * The few list and date functions whose names differ between DuckDB and Trino, for SQL generated
 * once for both (the normalization of raw WAF records).
 */
export interface ListSql {
  transform(list: string, lambda: string): string;
  filter(list: string, lambda: string): string;
  /** Whether any element satisfies the lambda (false for an empty or null list). */
  anyMatch(list: string, lambda: string): string;
  last(list: string): string;
  /** The distinct elements in ascending (binary) order. */
  sortDistinct(list: string): string;
  first(list: string): string;
  split(text: string, sep: string): string;
  /** `YYYY-MM-DD` (UTC) of epoch milliseconds. */
  utcDay(ms: string): string;
  concat(...lists: string[]): string;
  /** A row with named text fields (and one boolean `ov`, when given). */
  row(fields: Record<string, string>, types: Record<string, 'VARCHAR' | 'BOOLEAN'>): string;
  emptyRows(types: Record<string, 'VARCHAR' | 'BOOLEAN'>): string;
}

export function listSql(d: SqlDialect): ListSql {
  if (d === 'duckdb') {
    return {
      transform: (l, f) => `list_transform(${l}, ${f})`,
      filter: (l, f) => `list_filter(${l}, ${f})`,
      anyMatch: (l, f) => `coalesce(len(list_filter(${l}, ${f})) > 0, FALSE)`,
      last: (l) => `${l}[-1]`,
      sortDistinct: (l) => `list_sort(list_distinct(${l}))`,
      first: (l) => `${l}[1]`,
      split: (t, s) => `string_split(${t}, ${s})`,
      utcDay: (ms) => `strftime(make_timestamp(${ms} * 1000), '%Y-%m-%d')`,
      concat: (...ls) => ls.reduce((a, b) => `list_concat(${a}, ${b})`),
      row: (f, t) =>
        `{${Object.keys(t)
          .map((k) => `'${k}': CAST(${f[k]} AS ${t[k]})`)
          .join(', ')}}`,
      emptyRows: (t) =>
        `CAST([] AS STRUCT(${Object.entries(t)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})[])`,
    };
  }
  return {
    transform: (l, f) => `transform(${l}, ${f})`,
    filter: (l, f) => `filter(${l}, ${f})`,
    anyMatch: (l, f) => `coalesce(any_match(${l}, ${f}), FALSE)`,
    last: (l) => `element_at(${l}, -1)`,
    sortDistinct: (l) => `array_sort(array_distinct(${l}))`,
    first: (l) => `element_at(${l}, 1)`,
    split: (t, s) => `split(${t}, ${s})`,
    utcDay: (ms) => `format_datetime(from_unixtime(${ms} / 1000e0, 'UTC'), 'yyyy-MM-dd')`,
    concat: (...ls) => `concat(${ls.join(', ')})`,
    row: (f, t) =>
      `CAST(ROW(${Object.keys(t)
        .map((k) => f[k])
        .join(', ')}) AS ROW(${Object.entries(t)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}))`,
    emptyRows: (t) =>
      `CAST(ARRAY[] AS ARRAY(ROW(${Object.entries(t)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})))`,
  };
}
