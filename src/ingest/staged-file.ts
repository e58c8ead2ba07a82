import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { MAX_LINE_BYTES } from './read-lines.js';

/**
 * The fast local reader's first step (src/analyze/fast-load.ts), for one source file: decompress
 * it whole with zlib (gzip by its magic bytes; zlib checks every member's CRC and length), check
 * that it is UTF-8, and write its records to a staging file where each carries its line number
 * under a key of this run's choosing (`{"<key>":<line>,...`), for DuckDB to read. Anything this
 * step is not sure of makes the file go to the exact reader instead, whole: a zlib error, invalid
 * UTF-8, a line that does not start with `{`, an over-long line.
 */

export type Staged =
  /** `direct`: lines left out of the staging file, for the exact reader (see hasSurrogateEscape). */
  | { ok: true; records: number; bytes: number; direct: Map<number, string> }
  | { ok: false; why: string; bytes: number };

const BACKSLASH = 0x5c;

/**
 * A `\uD800`-`\uDFFF` escape: DuckDB refuses a whole file for one lone surrogate, so a line with
 * any surrogate escape (a lone one is legal JSON, written by attackers) goes to the exact reader
 * alone and the rest of the file is still read in SQL.
 */
function hasSurrogateEscape(text: Buffer, start: number, end: number): boolean {
  let i = text.indexOf(BACKSLASH, start);
  while (i !== -1 && i < end) {
    if (text[i + 1] === 0x75 /* u */) {
      const a = text[i + 2] ?? 0;
      const b = text[i + 3] ?? 0;
      const highHex = (b >= 0x38 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
      if ((a === 0x64 || a === 0x44) && highHex) return true;
    }
    // Skip the escaped character, so that `\\u` is a backslash and a `u`.
    i = text.indexOf(BACKSLASH, i + 2);
  }
  return false;
}

const OPEN = 0x7b; // {
const NEWLINE = 0x0a;
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

export function stageFile(source: string, staging: string, lineKey: string): Staged {
  const raw = readFileSync(source);
  const bytes = raw.length;
  if (raw.length === 0) return { ok: false, why: 'empty', bytes };
  let text: Buffer;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      text = gunzipSync(raw, { chunkSize: 1 << 20 });
    } catch {
      return { ok: false, why: 'gzip', bytes };
    }
  } else text = raw;
  if (!isUtf8(text)) return { ok: false, why: 'utf-8', bytes };

  const fd = openSync(staging, 'w');
  try {
    const parts: Buffer[] = [];
    let pending = 0;
    const flush = () => {
      if (parts.length === 0) return;
      writeSync(fd, Buffer.concat(parts, pending));
      parts.length = 0;
      pending = 0;
    };
    let records = 0;
    let lineNo = 0;
    const direct = new Map<number, string>();
    const anyBackslash = text.indexOf(BACKSLASH) !== -1;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf(NEWLINE, start);
      if (end === -1) end = text.length;
      lineNo++;
      if (end - start > MAX_LINE_BYTES) return { ok: false, why: 'long line', bytes };
      let i = start;
      while (i < end && isSpace(text[i] as number)) i++;
      if (i < end) {
        if (text[i] !== OPEN) return { ok: false, why: 'not an object', bytes };
        if (anyBackslash && hasSurrogateEscape(text, i, end)) {
          direct.set(lineNo, text.toString('utf8', start, end));
          start = end + 1;
          continue;
        }
        const head = Buffer.from(`{"${lineKey}":${lineNo},`);
        parts.push(head, text.subarray(i + 1, end), NL);
        pending += head.length + (end - i - 1) + 1;
        records++;
        if (pending > 1 << 20) flush();
      }
      start = end + 1;
    }
    flush();
    if (records === 0) return { ok: false, why: 'no records', bytes };
    return { ok: true, records, bytes, direct };
  } finally {
    closeSync(fd);
  }
}

const NL = Buffer.from('\n');

/**
 * The original text of the given lines of a staging file (line numbers ascending), as the exact
 * reader would have read them from the source: the key is taken out again.
 */
export function stagedLines(staging: string, lineKey: string, lines: readonly number[]): Map<number, string> {
  const text = readFileSync(staging);
  const out = new Map<number, string>();
  const want = new Set(lines);
  const prefix = `{"${lineKey}":`;
  let start = 0;
  while (start < text.length && out.size < want.size) {
    let end = text.indexOf(NEWLINE, start);
    if (end === -1) end = text.length;
    const comma = text.indexOf(0x2c, start + prefix.length);
    const line = Number(text.toString('latin1', start + prefix.length, comma));
    if (want.has(line)) out.set(line, `{${text.toString('utf8', comma + 1, end)}`);
    start = end + 1;
  }
  return out;
}
