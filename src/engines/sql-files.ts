import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetDir } from '../assets.js';
import type { SqlValue } from './query-engine.js';

/**
 * A query file: Athena (Trino) SQL with a header that names its positional parameters in order:
 *
 *   -- params: from_ts:bigint, to_ts:bigint, from_dt:string, to_dt:string
 *
 * Each `?` in the text takes the next declared parameter, so a value used twice is declared twice.
 */

export type ParamType = 'string' | 'bigint' | 'double' | 'boolean';

export interface SqlFile {
  name: string;
  text: string;
  params: ReadonlyArray<{ name: string; type: ParamType }>;
}

const PARAM_TYPES: ReadonlySet<string> = new Set(['string', 'bigint', 'double', 'boolean']);

/** `queries/` of this clone, installed package or Lambda bundle, found on first use. */
export const queriesDir = (): string => assetDir('queries');

export function parseSqlFile(name: string, source: string): SqlFile {
  const header = /^--\s*params:\s*(.*)$/m.exec(source);
  const params = (header?.[1] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      const [paramName, type = 'string'] = p.split(':').map((s) => s.trim());
      if (!paramName || !PARAM_TYPES.has(type)) throw new Error(`queries/${name}.sql: bad parameter "${p}"`);
      return { name: paramName, type: type as ParamType };
    });
  const placeholders = countPlaceholders(source);
  if (placeholders !== params.length) {
    throw new Error(
      `queries/${name}.sql: ${placeholders} "?" placeholders but ${params.length} declared parameters`,
    );
  }
  return { name, text: source, params };
}

/** Counts `?` outside string literals and comments. */
function countPlaceholders(sql: string): number {
  let count = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'") {
      i = sql.indexOf("'", i + 1);
      while (i !== -1 && sql[i + 1] === "'") i = sql.indexOf("'", i + 2);
      if (i === -1) break;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      if (end === -1) break;
      i = end;
    } else if (ch === '?') {
      count++;
    }
  }
  return count;
}

/** Orders named values by the file's declared parameters; a missing value is an error. */
export function bindParams(file: SqlFile, values: Record<string, SqlValue> = {}): SqlValue[] {
  return file.params.map(({ name, type }) => {
    if (!(name in values)) throw new Error(`queries/${file.name}.sql: parameter "${name}" has no value`);
    const value = values[name] ?? null;
    if (value !== null) checkType(file.name, name, type, value);
    return value;
  });
}

function checkType(file: string, name: string, type: ParamType, value: SqlValue): void {
  const ok =
    type === 'string'
      ? typeof value === 'string'
      : type === 'boolean'
        ? typeof value === 'boolean'
        : typeof value === 'number' && (type === 'double' || Number.isInteger(value));
  if (!ok) throw new Error(`queries/${file}.sql: parameter "${name}" must be ${type}, got ${typeof value}`);
}

const cache = new Map<string, SqlFile>();

export function loadSqlFile(name: string, dir = queriesDir()): SqlFile {
  const key = `${dir}\0${name}`;
  let file = cache.get(key);
  if (!file) {
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unknown query "${name}"`);
    file = parseSqlFile(name, readFileSync(join(dir, `${name}.sql`), 'utf8'));
    cache.set(key, file);
  }
  return file;
}

export function listSqlFiles(dir = queriesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();
}
