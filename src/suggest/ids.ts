import { createHash } from 'node:crypto';

/** A stable id from the parts that make a proposal what it is (not its evidence, which changes each run). */
export function stableId(prefix: string, parts: unknown): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 10)}`;
}
