import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip, constants as zlibConstants } from 'node:zlib';

export interface LogLine {
  line: number;
  text: string;
}

export interface InputProblem {
  /** The file; for records that come from a service, what names their container (`cwl://group/stream`). */
  file: string;
  /** 1-based line, or null when the problem is the file as a whole (or the input has no lines). */
  line: number | null;
  /** A CloudWatch Logs event: its id and time, which place it where `line` cannot. */
  event?: { id: string; time: string };
  reason: string;
  excerpt: string | null;
}

/**
 * A line longer than this is not a WAF record (Firehose caps a record at 1,000 KiB; attacker-sized
 * fields leave room up to that): it is skipped, not buffered.
 */
export const MAX_LINE_BYTES = 8 << 20;

const GZIP_MAGIC = [0x1f, 0x8b];
/** CRC32 and ISIZE end every gzip member. */
const GZIP_TRAILER = 8;
const READ_CHUNK = 256 * 1024;
/** Compressed bytes per write when decoding again past a failure (see decodeAgain). */
const CAREFUL_PIECE = 8;

async function isGzip(file: string): Promise<boolean> {
  const stream = createReadStream(file, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks);
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

async function* plainChunks(file: string, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) {
    onBytes?.((chunk as Buffer).length);
    yield chunk as Buffer;
  }
}

const isZlibError = (error: unknown) => /^Z_/.test(String((error as NodeJS.ErrnoException).code ?? ''));

/**
 * The decompressed bytes of a gzip file (every member). When the stream fails (a bad CRC, a
 * truncated or damaged member), the bytes zlib had inflated in the failing call are not lost: they
 * are decoded again (decodeAgain) before the error is passed on.
 */
async function* gunzipChunks(
  file: string,
  size: number,
  onBytes?: (n: number) => void,
): AsyncGenerator<Buffer> {
  const raw = createReadStream(file, { highWaterMark: READ_CHUNK });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  let delivered = 0;
  try {
    for await (const chunk of gunzip) {
      delivered += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  } catch (error) {
    if (isZlibError(error)) yield* decodeAgain(file, size, delivered, gunzip.bytesWritten);
    throw error;
  } finally {
    raw.destroy();
  }
}

/**
 * Node's zlib stream drops what it inflated in the call that failed: with a bad CRC that is the
 * whole last output chunk, hundreds of good lines. So the file is decoded once more, the bytes up
 * to where the failing call started in large writes, the rest in small ones, and each member's
 * last 8 bytes (the CRC and length) of the file on their own, so that the call that fails carries
 * next to no data; what lies past the `skip` bytes already delivered is handed over. Truncation
 * decodes to the end here (Z_SYNC_FLUSH); only the first pass's error is reported.
 */
async function* decodeAgain(
  file: string,
  size: number,
  skip: number,
  failedAt: number,
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: READ_CHUNK, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const source = Readable.from(carefulPieces(file, size, failedAt));
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  let seen = 0;
  try {
    for await (const chunk of gunzip) {
      const buf = chunk as Buffer;
      const from = Math.max(0, skip - seen);
      seen += buf.length;
      if (from < buf.length) yield from === 0 ? buf : buf.subarray(from);
    }
  } catch {
    // Expected: the damage is still there. The first pass's error is the one to report.
  } finally {
    source.destroy();
  }
}

async function* carefulPieces(file: string, size: number, failedAt: number): AsyncGenerator<Buffer> {
  const trailerAt = Math.max(0, size - GZIP_TRAILER);
  let offset = 0;
  if (trailerAt > 0) {
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK, end: trailerAt - 1 })) {
      const buf = chunk as Buffer;
      const fast = Math.min(buf.length, Math.max(0, failedAt - offset));
      if (fast > 0) yield buf.subarray(0, fast);
      for (let i = fast; i < buf.length; i += CAREFUL_PIECE) yield buf.subarray(i, i + CAREFUL_PIECE);
      offset += buf.length;
    }
  }
  for await (const chunk of createReadStream(file, { start: trailerAt })) yield chunk as Buffer;
}

const NOT_BLANK = /\S/;

/**
 * Streams the lines of one log file, gzip (by its magic bytes, whatever the name) or plain, in
 * bounded memory, a decoded chunk's worth at a time: one await per chunk rather than per line,
 * which the hot path of analyze pays a million times. Problems (an empty file, corrupt gzip, an
 * over-long line) go to `onProblem`, each after the lines before it, and reading goes on where it
 * can; blank lines are skipped.
 */
export async function* readLogLineBatches(
  file: string,
  onProblem: (problem: InputProblem) => void,
  onBytes?: (compressedBytes: number) => void,
): AsyncGenerator<LogLine[]> {
  const info = await stat(file);
  if (info.size === 0) {
    onProblem({ file, line: null, reason: 'empty file', excerpt: null });
    return;
  }
  // Sniffed before the stream opens: a 'data' listener attached across an await would drop chunks.
  const gz = await isGzip(file);
  const input = gz ? gunzipChunks(file, info.size, onBytes) : plainChunks(file, onBytes);

  // Lines are cut from the bytes and decoded one by one (invalid UTF-8 becomes U+FFFD): no
  // ever-growing string is built, and a line's bytes are copied once.
  let rest: Buffer | null = null;
  let lineNo = 0;
  let skipping = false;
  let yielded = 0;
  try {
    for await (const chunk of input) {
      let buf = chunk as Buffer;
      const batch: LogLine[] = [];
      let start = 0;
      let nl = buf.indexOf(10, start);
      // Only the line that runs across the chunks is joined (not the whole chunk to the rest, a
      // copy of every byte read).
      if (rest && nl === -1) buf = Buffer.concat([rest, buf]);
      else if (rest) {
        lineNo++;
        if (skipping) skipping = false;
        else if (rest.length + nl > 0) {
          const text = Buffer.concat([rest, buf.subarray(0, nl)]).toString('utf8');
          if (NOT_BLANK.test(text)) batch.push({ line: lineNo, text });
        }
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      while (nl !== -1) {
        lineNo++;
        if (skipping) {
          skipping = false;
        } else if (nl > start) {
          const text = buf.toString('utf8', start, nl);
          // `\S` is what trim() keeps (ECMAScript's WhiteSpace and LineTerminator), without a copy.
          if (NOT_BLANK.test(text)) batch.push({ line: lineNo, text });
        }
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      if (batch.length > 0) {
        yielded += batch.length;
        yield batch;
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
    // The line the data broke off in: a record if it ends like one (a bad CRC after the last line),
    // else the broken part, shown in the problem.
    const tail = !skipping && rest ? rest.toString('utf8') : '';
    if (tail.trimEnd().endsWith('}')) {
      lineNo++;
      yield [{ line: lineNo, text: tail }];
    }
    const message = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    onProblem({
      file,
      line: lineNo + 1,
      reason: gz
        ? `corrupt gzip (${message}) after ${lineNo} readable line(s)`
        : `read error (${message}) after ${lineNo} line(s)`,
      excerpt: tail.trimEnd().endsWith('}') || tail.trim() === '' ? null : tail.slice(0, 200),
    });
    return;
  }
  const last = rest ? rest.toString('utf8') : '';
  if (!skipping && NOT_BLANK.test(last)) {
    yielded++;
    yield [{ line: lineNo + 1, text: last }];
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
