import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FLEET_FACT_COLUMNS, type WafEvent } from '../../schemas/event.js';
import { SpillWriter } from '../../src/engines/spill-writer.js';
import { eventFixture } from '../support/events.js';

/**
 * The spill files are how every event reaches DuckDB: each row must come back as the event (or, for
 * an event no rule acted on, its fleet facts), whatever its size or characters, in files of the
 * given number of rows.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function spill(events: readonly WafEvent[], rowsPerFile: number, trimUnacted: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'waftune-spill-test-'));
  dirs.push(dir);
  const files: { file: string; rows: number }[] = [];
  const writer = new SpillWriter(
    { dir, trimUnacted },
    't',
    (file, rows) => files.push({ file, rows }),
    rowsPerFile,
  );
  for (const e of events) writer.add(e);
  writer.close();
  const rows = files.flatMap(({ file }) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as unknown),
  );
  return { files, rows };
}

describe('SpillWriter', () => {
  it('gives back every event, multi-byte, escaped and larger-than-the-buffer values included', () => {
    const events = [
      eventFixture({ path: '/plain' }),
      eventFixture({ path: `/é€😀/${'ü'.repeat(5_000)}`, user_agent: 'a\u2028b\u0000"\\' }),
      eventFixture({ path: `/${'x'.repeat(3_000_000)}` }),
      eventFixture({ query: `q=${'\ud800'}` }),
      ...Array.from({ length: 2_500 }, (_, i) => eventFixture({ path: `/p/${i}/${'ß'.repeat(i % 700)}` })),
    ];
    const { files, rows } = spill(events, 1_000, false);
    expect(rows).toEqual(events.map((e) => JSON.parse(JSON.stringify(e))));
    expect(files.map((f) => f.rows)).toEqual([1_000, 1_000, 504]);
  });

  it('keeps only the fleet facts of the events no rule acted on when asked, their null columns left out', () => {
    const acted = eventFixture({ path: '/blocked' });
    const unacted = eventFixture({
      rule_action: null,
      rule_group: null,
      rule_id: null,
      action: 'ALLOW',
      forwarded_ip: null,
      user_agent: 'curl/8',
    });
    const { rows } = spill([acted, unacted], 10, true);
    const facts = Object.fromEntries(
      FLEET_FACT_COLUMNS.map((c) => [c, unacted[c]]).filter(([, v]) => v !== null),
    );
    expect(rows).toEqual([JSON.parse(JSON.stringify(acted)), facts]);
    expect(Object.keys(rows[1] as object)).not.toContain('forwarded_ip');
    expect(facts).toMatchObject({ user_agent: 'curl/8' });
  });

  it('hands over no file for no events', () => {
    expect(spill([], 10, true).files).toEqual([]);
  });
});
