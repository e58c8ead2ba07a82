import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface LogLine {
  line: number;
  text: string;
}

export interface InputProblem {
  file: string;
  /** 1-based line, or null when the problem is the file as a whole. */
  line: number | null;
  reason: string;
  excerpt: string | null;
}

/**
 * A line longer than this is not a WAF record (Firehose caps a record at 1,000 KiB; attacker-sized
 * fields leave room up to that): it is skipped, not buffered.
 */
export const MAX_LINE_BYTES = 8 << 20;

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(file: string): Promise<boolean> {
  const stream = createReadStream(file, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks);
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * Streams the lines of one log file, gzip (by its magic bytes, whatever the name) or plain, in
 * bounded memory. Problems (an empty file, corrupt gzip, an over-long line) go to `onProblem`
 * and reading goes on where it can; blank lines are skipped.
 */
export async function* readLogLines(
  file: string,
  onProblem: (problem: InputProblem) => void,
  onBytes?: (compressedBytes: number) => void,
): AsyncGenerator<LogLine> {
  const info = await stat(file);
  if (info.size === 0) {
    onProblem({ file, line: null, reason: 'empty file', excerpt: null });
    return;
  }
  // Sniffed before the stream opens: a 'data' listener attached across an await would drop chunks.
  const gz = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  const input: Readable = gz ? raw.pipe(createGunzip({ chunkSize: 256 * 1024 })) : raw;
  if (gz) raw.on('error', (e) => input.destroy(e));

  // Lines are cut from the bytes and decoded one by one (invalid UTF-8 becomes U+FFFD): no
  // ever-growing string is built, and a line's bytes are copied once.
  let rest: Buffer | null = null;
  let lineNo = 0;
  let skipping = false;
  let yielded = 0;
  try {
    for await (const chunk of input) {
      const buf: Buffer = rest ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      let nl = buf.indexOf(10, start);
      while (nl !== -1) {
        lineNo++;
        if (skipping) {
          skipping = false;
        } else if (nl > start) {
          const text = buf.toString('utf8', start, nl);
          if (text.trim().length > 0) {
            yielded++;
            yield { line: lineNo, text };
          }
        }
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      rest = start < buf.length ? buf.subarray(start) : null;
      if (rest && rest.length > MAX_LINE_BYTES) {
        if (!skipping) {
          onProblem({
            file,
            line: lineNo + 1,
            reason: `line longer than ${MAX_LINE_BYTES} bytes`,
            excerpt: rest.toString('utf8', 0, 200),
          });
        }
        skipping = true;
        rest = null;
      }
    }
  } catch (error) {
    const message = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    onProblem({
      file,
      line: lineNo + 1,
      reason: gz
        ? `corrupt gzip (${message}) after ${lineNo} readable line(s)`
        : `read error (${message}) after ${lineNo} line(s)`,
      excerpt: null,
    });
    return;
  }
  const last = rest ? rest.toString('utf8') : '';
  if (!skipping && last.trim().length > 0) {
    yielded++;
    yield { line: lineNo + 1, text: last };
  }
  if (yielded === 0 && !skipping) {
    onProblem({
      file,
      line: null,
      reason: gz ? 'empty file (gzip with no lines)' : 'empty file (no lines)',
      excerpt: null,
    });
  }
}
