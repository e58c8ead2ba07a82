import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type InputProblem, readLogLines } from '../../src/ingest/read-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'waftune-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, content: Buffer | string) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const problems: InputProblem[] = [];
  const lines: Array<{ line: number; text: string }> = [];
  for await (const l of readLogLines(file, (p) => problems.push(p))) lines.push(l);
  return { lines, problems, file };
}

describe('readLogLines', () => {
  it('reads gzip by its magic bytes whatever the name, and plain JSON lines', async () => {
    const gz = await read('object-without-extension', gzipSync('{"a":1}\n{"a":2}\n'));
    expect(gz.lines.map((l) => l.text)).toEqual(['{"a":1}', '{"a":2}']);
    const plain = await read('plain.log.gz', '{"a":1}\r\n\n{"a":3}');
    expect(plain.lines).toEqual([
      { line: 1, text: '{"a":1}\r' },
      { line: 3, text: '{"a":3}' },
    ]);
  });

  it('reads concatenated gzip members, as Firehose objects can be', async () => {
    const r = await read('members.gz', Buffer.concat([gzipSync('{"a":1}\n'), gzipSync('{"a":2}\n')]));
    expect(r.lines).toHaveLength(2);
  });

  it('reports an empty file, naming it', async () => {
    const r = await read('empty.gz', '');
    expect(r.problems).toEqual([{ file: r.file, line: null, reason: 'empty file', excerpt: null }]);
  });

  it('keeps the lines before a gzip stream turns corrupt and names the line where it broke', async () => {
    const good = gzipSync(
      Array.from({ length: 2000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(200)}"}`).join('\n'),
    );
    const broken = Buffer.concat([good.subarray(0, good.length / 2), Buffer.from('garbage-garbage-garbage')]);
    const r = await read('corrupt.gz', broken);
    expect(r.lines.length).toBeGreaterThan(0);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({
      file: r.file,
      line: r.lines.length + 1,
      reason: expect.stringMatching(/^corrupt gzip \(Z_\w+_ERROR\) after \d+ readable line/),
    });
  });

  it('skips an over-long line without buffering it, and goes on', async () => {
    const r = await read('long.jsonl', `{"a":1}\n${'x'.repeat(9 << 20)}\n{"a":2}\n`);
    expect(r.lines.map((l) => l.line)).toEqual([1, 3]);
    expect(r.problems).toEqual([
      expect.objectContaining({ line: 2, reason: expect.stringMatching(/longer than/) }),
    ]);
  });

  it('passes binary junk and invalid UTF-8 on as text for the parser to reject', async () => {
    const r = await read('junk.bin', Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x80, 0x81]));
    expect(r.lines).toHaveLength(2);
    expect(r.problems).toEqual([]);
  });
});
