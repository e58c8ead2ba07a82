import { expect } from 'vitest';
import { openEngine } from '../../cli/commands/digest.js';

/**
 * Opens and closes the local engine over `sources` twice, as two `watch` checks do, and expects
 * `left()` (withPrivateTmpdir's) to be empty after each: a leak would grow with every check.
 */
export async function expectChecksLeaveNothing(
  sources: readonly string[],
  stateDir: string,
  left: () => string[],
): Promise<void> {
  for (let check = 0; check < 2; check++) {
    const opened = await openEngine(sources, { engine: 'duckdb', stage: 'dev', timeZone: 'UTC', stateDir });
    expect(opened.dataEnd).not.toBeNull();
    await opened.close();
    expect(left()).toEqual([]);
  }
}
