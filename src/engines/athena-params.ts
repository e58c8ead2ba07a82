import type { SqlValue } from './query-engine.js';
import type { ParamType } from './sql-files.js';

/**
 * Athena substitutes each ExecutionParameter for its `?` as a SQL literal, so a bound value has to
 * arrive written as one: a string single-quoted with its quotes doubled, a number in a form Trino
 * reads as the declared type. The query text itself is never built from values.
 */

/** ExecutionParameter's length limit in the Athena API. */
export const MAX_PARAMETER_LENGTH = 1024;

export function athenaLiteral(value: SqlValue, type: ParamType, name = 'parameter'): string {
  const literal = render(value, type, name);
  if (literal.length > MAX_PARAMETER_LENGTH) {
    throw new Error(
      `${name}: value too long for an Athena parameter (${literal.length} > ${MAX_PARAMETER_LENGTH})`,
    );
  }
  return literal;
}

function render(value: SqlValue, type: ParamType, name: string): string {
  if (value === null) return 'NULL';
  switch (type) {
    case 'string':
      if (typeof value !== 'string') break;
      return `'${value.replaceAll("'", "''")}'`;
    case 'boolean':
      if (typeof value !== 'boolean') break;
      return value ? 'TRUE' : 'FALSE';
    case 'bigint':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) break;
      return String(value);
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) break;
      // Trino reads 1.5 as DECIMAL; the exponent form is a DOUBLE literal.
      return value.toExponential().toUpperCase();
  }
  throw new Error(`${name}: ${JSON.stringify(value)} is not a valid ${type}`);
}
