import { emitPattern, pattern, SPACE_RANGES } from './pattern.js';

/**
 * The SQL side of src/classify/fold.ts, for DuckDB and Trino (Athena). Every expression here is
 * text built from column names the caller owns and constants: never from log values.
 */
export type SqlDialect = 'duckdb' | 'trino';

const AZ = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * ASCII-only lower case: `translate` maps A-Z and nothing else, on both engines. DuckDB's `lower`
 * is the same on ASCII text and several times faster than its `translate`, so DuckDB takes it
 * where the text is ASCII (as many bytes as characters).
 */
export const lowerSql = (x: string, d: SqlDialect = 'trino') =>
  d === 'duckdb'
    ? `CASE WHEN strlen(${x}) = length(${x}) THEN lower(${x}) ELSE translate(${x}, '${AZ}', '${AZ.toLowerCase()}') END`
    : `translate(${x}, '${AZ}', '${AZ.toLowerCase()}')`;
export const upperSql = (x: string, d: SqlDialect = 'trino') =>
  d === 'duckdb'
    ? `CASE WHEN strlen(${x}) = length(${x}) THEN upper(${x}) ELSE translate(${x}, '${AZ.toLowerCase()}', '${AZ}') END`
    : `translate(${x}, '${AZ.toLowerCase()}', '${AZ}')`;

/** Both engines' `substr` counts code points, as cutCodePoints does. */
export const cutSql = (x: string, max: number) => `substr(${x}, 1, ${max})`;

/** Every replacement: DuckDB replaces the first match unless told 'g'; Trino replaces all. */
export function replaceAllSql(x: string, regex: string, by: string, d: SqlDialect): string {
  return d === 'duckdb'
    ? `regexp_replace(${x}, ${sqlString(regex)}, ${sqlString(by)}, 'g')`
    : `regexp_replace(${x}, ${sqlString(regex)}, ${sqlString(by)})`;
}

/** Every code point of SPACE_RANGES, as SQL text made of chr() calls. */
const SPACE_CHARS = SPACE_RANGES.flatMap((r) =>
  Array.from({ length: r.to - r.from + 1 }, (_, i) => `chr(${r.from + i})`),
).join(' || ');

/**
 * `String.prototype.trim`: the whitespace JavaScript's `\s` knows, at both ends. Both engines'
 * two-argument `trim` strips any of the given characters, with no regex to compile (a regex inside
 * a lambda is compiled again for every element).
 */
export const trimSql = (x: string, _d: SqlDialect) => `trim(${x}, ${SPACE_CHARS})`;

/**
 * Text whose every `%` starts an escape and whose escapes spell UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF): exactly what `decodeURIComponent` accepts.
 */
const C = '%[89abAB][0-9a-fA-F]';
export const DECODABLE = pattern(
  [
    '^(',
    '[^%]',
    '|%[0-7][0-9a-fA-F]',
    `|%[cC][2-9a-fA-F]${C}|%[dD][0-9a-fA-F]${C}`,
    `|%[eE]0%[abAB][0-9a-fA-F]${C}|%[eE][1-9a-cA-C]${C}${C}|%[eE][dD]%[89][0-9a-fA-F]${C}|%[eE][eEfF]${C}${C}`,
    `|%[fF]0%[9abAB][0-9a-fA-F]${C}${C}|%[fF][1-3]${C}${C}${C}|%[fF]4%8[0-9a-fA-F]${C}${C}`,
    ')*$',
  ].join(''),
);

/** percentDecode in SQL: `url_decode` only where it cannot fail, `+` a space first. */
export function decodeSql(x: string): string {
  const spaced = `replace(${x}, '+', ' ')`;
  return `CASE WHEN strpos(${x}, '%') = 0 THEN ${spaced} WHEN regexp_like(${x}, ${sqlString(emitPattern(DECODABLE, 'sql'))}) THEN url_decode(${spaced}) ELSE ${x} END`;
}
