/**
 * DuckDB macros for the Trino functions that queries/*.sql use, so that one file runs on Athena
 * and on DuckDB unchanged. Keep this list to functions whose semantics match exactly; a test runs
 * every query on DuckDB.
 */
export const TRINO_MACROS: readonly string[] = [
  'CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x)',
  'CREATE OR REPLACE MACRO cardinality(x) AS len(x)',
  'CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  'CREATE OR REPLACE MACRO array_join(a, sep) AS array_to_string(a, sep)',
  'CREATE OR REPLACE MACRO approx_percentile(x, p) AS approx_quantile(x, p)',
  // Same result for arrays without nulls, which is all the events table holds.
  'CREATE OR REPLACE MACRO arrays_overlap(a, b) AS list_has_any(a, b)',
  // Trino's slice(array, start, length) vs DuckDB's list_slice(list, begin, end)
  'CREATE OR REPLACE MACRO slice(a, s, n) AS list_slice(a, s, s + n - 1)',
];
