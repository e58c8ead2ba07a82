import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { WafEvent } from '../../schemas/event.js';
import type { ConcatenatedFile } from '../../schemas/report.js';
import { emptyStats, ingestFile } from '../../src/analyze/ingest-files.js';
import { splitConcatenated } from '../../src/ingest/concatenated.js';
import type { InputProblem } from '../../src/ingest/read-lines.js';
import { awsDocExampleLines } from '../support/vendored.js';
import { countModeGroupRecord, excludedAsCountRecord, wafRecord } from '../support/waf-records.js';

const dir = mkdtempSync(join(tmpdir(), 'waftune-concat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const examples = awsDocExampleLines();

describe('splitConcatenated', () => {
  it('splits records written back to back, with or without white space between them', () => {
    expect(splitConcatenated('{"a":1}{"b":{"c":[1,{}]}}')).toEqual(['{"a":1}', '{"b":{"c":[1,{}]}}']);
    expect(splitConcatenated(' {"a":1} \t{"b":2}\r')).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('never splits at a }{ inside a string, escaped quotes and backslashes included', () => {
    expect(splitConcatenated('{"uri":"/a}{b","h":"x\\"}{\\"y\\\\"}')).toBeNull();
    expect(splitConcatenated('{"uri":"/a}{b"}{"uri":"}{"}')).toEqual(['{"uri":"/a}{b"}', '{"uri":"}{"}']);
  });

  it('returns null for one value, junk after one value, or no object at all', () => {
    expect(splitConcatenated('{"a":1}')).toBeNull();
    expect(splitConcatenated('{"a":1} trailing')).toBeNull();
    expect(splitConcatenated('[1]{"a":1}')).toBeNull();
    expect(splitConcatenated('not json')).toBeNull();
    expect(splitConcatenated('')).toBeNull();
  });

  it('keeps a truncated or junk tail as its own last piece, for the parser to reject', () => {
    expect(splitConcatenated('{"a":1}{"b":')).toEqual(['{"a":1}', '{"b":']);
    expect(splitConcatenated('{"a":1}{"b":2}junk')).toEqual(['{"a":1}', '{"b":2}', 'junk']);
  });
});

async function ingest(name: string, content: string | Buffer) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const stats = emptyStats();
  const events: WafEvent[] = [];
  const problems: InputProblem[] = [];
  const notices: ConcatenatedFile[] = [];
  await ingestFile(
    file,
    stats,
    (e) => events.push(e),
    (p) => problems.push(p),
    undefined,
    (c) => notices.push(c),
  );
  return { file, stats, events, problems, notices };
}

describe('reading a file with records back to back on a line', () => {
  // An attacker's `}{` in the URI and a header: it must not split its record.
  const hostile = JSON.stringify(
    wafRecord(
      {},
      {
        uri: '/wp-json/x}{"timestamp":1}{',
        headers: [{ name: 'user-agent', value: '"}{"webaclId":"arn:evil"}{' }],
      },
    ),
  );
  const a = JSON.stringify(countModeGroupRecord());
  const b = JSON.stringify(excludedAsCountRecord());

  it('reads every record, says so once for the file, and rejects nothing', async () => {
    const text = `${examples[0]}\n${a}${b}${hostile}\n${examples[1]}\n${examples[2]}${examples[3]}\n`;
    const r = await ingest('joined.jsonl.gz', gzipSync(text));
    expect(r.problems).toEqual([]);
    expect(r.events).toHaveLength(7);
    expect(r.stats).toMatchObject({ lines: 4, events: 7, rejected: 0 });
    expect(r.notices).toEqual([{ file: r.file, lines: 2, records: 5, firstLine: 2 }]);
    expect(r.events.map((e) => e.path)).toContain('/wp-json/x}{"timestamp":1}{');
    expect(r.events.filter((e) => e.rule_id === 'SQLi_QUERYARGUMENTS')).toHaveLength(2);
  });

  it('a piece that still fails is a reject with file and line; the others on the line are events', async () => {
    const r = await ingest('partly-bad.jsonl', `${examples[0]}\n${a}{"not":"waf"}${b.slice(0, 300)}\n`);
    expect(r.events).toHaveLength(2);
    expect(r.problems).toEqual([
      expect.objectContaining({
        file: r.file,
        line: 2,
        reason: expect.stringMatching(
          /^not a WAF log record: .*\(record 2 of 3 written back to back on this line\)$/,
        ),
        excerpt: '{"not":"waf"}',
      }),
      expect.objectContaining({
        file: r.file,
        line: 2,
        reason: expect.stringMatching(/^truncated JSON line \(record 3 of 3 /),
      }),
    ]);
    expect(r.notices).toEqual([{ file: r.file, lines: 1, records: 3, firstLine: 2 }]);
    expect(r.stats.events + r.stats.rejected).toBe(4);
  });

  it('a file without such lines gives no notice', async () => {
    const r = await ingest('clean.jsonl', `${examples.join('\n')}\n`);
    expect(r.notices).toEqual([]);
    expect(r.events).toHaveLength(examples.length);
  });
});
