import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb.js';

/**
 * A query whose list and DISTINCT aggregates DuckDB cannot write out to disk: past a small memory
 * limit it fails, as the client profiles did at four million events under the 192 MB that keeps a
 * million flat.
 */
const HEAVY = `-- params: groups:bigint
SELECT count(*) AS groups, sum(len(l)) AS values, max(d) AS distinct_max
FROM (SELECT i % ? AS k, list(i) AS l, count(DISTINCT i % 1000) AS d FROM range(4000000) t(i) GROUP BY k)`;

describe('DuckDB memory limit steps', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'waftune-memory-'));
    writeFileSync(join(dir, 'heavy.sql'), HEAVY);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const engine = (steps?: readonly string[]) =>
    DuckDbEngine.create({
      queriesDir: dir,
      memoryLimit: '16MB',
      tempDirectory: join(dir, 'tmp'),
      preserveInsertionOrder: false,
      ...(steps ? { memoryLimitSteps: steps } : {}),
    });

  it('runs a query that ran out of memory again at the next limit, and says so', async () => {
    const e = await engine(['24MB', '1GB']);
    try {
      const { rows } = await e.run('heavy', { groups: 200_000 });
      expect(rows).toEqual([{ groups: 200_000, values: 4_000_000, distinct_max: 1 }]);
      expect(e.memoryRaises.at(-1)).toBe('1GB');
      // The raised limit stays: the next query does not fail first.
      const again = await e.run('heavy', { groups: 100_000 });
      expect(again.rows[0]).toMatchObject({ groups: 100_000 });
      expect(e.memoryRaises.at(-1)).toBe('1GB');
    } finally {
      await e.close();
    }
  });

  it('without steps, the error reaches the caller', async () => {
    const e = await engine();
    try {
      await expect(e.run('heavy', { groups: 200_000 })).rejects.toThrow(/^Out of Memory Error/);
      expect(e.memoryRaises).toEqual([]);
    } finally {
      await e.close();
    }
  });

  it('takes only limits DuckDB reads as sizes', async () => {
    await expect(engine(["1GB'; DROP TABLE events; --"])).rejects.toThrow(/e\.g\. 512MB/);
  });
});
