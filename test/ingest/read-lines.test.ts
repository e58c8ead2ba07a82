import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type InputProblem, readLogLineBatches } from '../../src/ingest/read-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'waftune-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, content: Buffer | string) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const problems: InputProblem[] = [];
  const lines: Array<{ line: number; text: string }> = [];
  for await (const batch of readLogLineBatches(file, (p) => problems.push(p))) lines.push(...batch);
  return { lines, problems, file };
}

describe('readLogLineBatches', () => {
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

  it('keeps every line of a gzip file whose last bytes (CRC, length) are corrupted, and names the file', async () => {
    const lines = Array.from(
      { length: 5000 },
      (_, i) => `{"n":${i},"pad":"${String(i).repeat(40 + (i % 31))}"}`,
    );
    for (const [name, text] of [
      ['bad-crc.gz', `${lines.join('\n')}\n`],
      ['bad-crc-no-final-newline.gz', lines.join('\n')],
    ] as const) {
      const gz = gzipSync(text);
      for (const at of [8, 4, 1]) {
        const broken = Buffer.from(gz);
        broken[broken.length - at] = (broken[broken.length - at] as number) ^ 0xff;
        const r = await read(`${at}-${name}`, broken);
        expect(r.lines.length, `${name} byte -${at}`).toBe(5000);
        expect(r.lines.at(-1)?.text).toBe(lines[4999]);
        expect(r.problems).toEqual([
          {
            file: r.file,
            line: 5001,
            reason: expect.stringMatching(/^corrupt gzip \(Z_(DATA|BUF)_ERROR\) after 5000 readable line/),
            excerpt: null,
          },
        ]);
      }
    }
  });

  it('keeps every line of a gzip member whose CRC is bad when another member follows', async () => {
    const first = gzipSync(
      Array.from({ length: 3000 }, (_, i) => `{"n":${i}}`)
        .join('\n')
        .concat('\n'),
    );
    first[first.length - 6] = (first[first.length - 6] as number) ^ 0xff;
    const r = await read('bad-member.gz', Buffer.concat([first, gzipSync('{"n":"next member"}\n')]));
    expect(r.lines.length).toBe(3000);
    expect(r.problems).toHaveLength(1);
  });

  it('keeps the complete lines of a truncated gzip file and shows where it broke off', async () => {
    const gz = gzipSync(
      Array.from({ length: 4000 }, (_, i) => `{"n":${i},"pad":"${'y'.repeat(80)}"}`).join('\n'),
    );
    const r = await read('truncated.gz', gz.subarray(0, Math.floor(gz.length * 0.7)));
    const readable = gunzipSync(gz.subarray(0, Math.floor(gz.length * 0.7)), {
      finishFlush: constants.Z_SYNC_FLUSH,
    })
      .toString('utf8')
      .split('\n');
    expect(r.lines.length).toBe(readable.length - 1);
    expect(r.problems).toEqual([
      expect.objectContaining({ line: readable.length, excerpt: readable.at(-1)?.slice(0, 200) }),
    ]);
  });

  it('skips an over-long line without buffering it, and goes on', async () => {
    const r = await read('long.jsonl', `{"a":1}\n${'x'.repeat(9 << 20)}\n{"a":2}\n`);
    expect(r.lines.map((l) => l.line)).toEqual([1, 3]);
    expect(r.problems).toEqual([
      expect.objectContaining({ line: 2, reason: expect.stringMatching(/longer than/) }),
    ]);
  });

  it('gives every line as a split of the whole file does, however the lines fall across read chunks', async () => {
    // Reads come 256 KiB at a time (plain) and inflate 256 KiB at a time (gzip): put a newline at
    // each edge of a chunk, a four-byte character and an invalid byte across edges, a line longer
    // than a chunk, and blank lines between.
    const CHUNK = 256 * 1024;
    const parts: Buffer[] = [];
    let size = 0;
    const put = (b: Buffer | string) => {
      const buf = typeof b === 'string' ? Buffer.from(b) : b;
      parts.push(buf);
      size += buf.length;
    };
    const fillTo = (offset: number) => {
      let n = 0;
      while (size < offset) {
        const room = offset - size;
        put(
          room > 40
            ? `{"n":${n++},"e":"${'a'.repeat(Math.min(room, 900) - 30)}"}\n`.slice(0, room)
            : 'b'.repeat(room),
        );
      }
    };
    fillTo(CHUNK - 1);
    put('\n'); // the last byte of the first chunk
    fillTo(2 * CHUNK);
    put('\n\n \n'); // the first bytes of the third chunk, blank lines
    fillTo(3 * CHUNK - 2);
    put('😀'); // four bytes across the edge
    fillTo(4 * CHUNK - 1);
    put(Buffer.from([0xe2, 0x82, 0x0a])); // a broken three-byte character, then the line ends
    put(`{"long":"${'é'.repeat(CHUNK)}"}\n`); // longer than a chunk
    put('{"last":true}');
    const content = Buffer.concat(parts);
    const expected: Array<{ line: number; text: string }> = [];
    let from = 0;
    for (let line = 1; from <= content.length; line++) {
      const nl = content.indexOf(10, from);
      const text = content.toString('utf8', from, nl === -1 ? content.length : nl);
      if (text.trim() !== '') expected.push({ line, text });
      from = nl === -1 ? content.length + 1 : nl + 1;
    }
    expect(expected.length).toBeGreaterThan(1000);
    const plain = await read('edges.jsonl', content);
    const gz = await read('edges.jsonl.gz', gzipSync(content));
    expect(plain.lines).toEqual(expected);
    expect(gz.lines).toEqual(expected);
    expect([...plain.problems, ...gz.problems]).toEqual([]);
  });

  it('passes binary junk and invalid UTF-8 on as text for the parser to reject', async () => {
    const r = await read('junk.bin', Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x80, 0x81]));
    expect(r.lines).toHaveLength(2);
    expect(r.problems).toEqual([]);
  });
});
