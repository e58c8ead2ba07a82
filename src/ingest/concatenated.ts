/**
 * Records written back to back with no newline (`{...}{...}`), as a Firehose processor that drops
 * the delimiter writes them. Only a line that failed to parse is looked at, so a clean line costs
 * nothing here.
 */

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/**
 * The texts of the JSON objects in `text` when it holds two or more of them back to back (white
 * space between them allowed), else null. The split is made only where an object closes at the top
 * level, outside any string: a `}{` inside a value (an attacker can put one in a URI or a header)
 * never splits a record. Whatever follows the last complete object (a truncated record, junk) is
 * the last piece, for the parser to reject.
 */
export function splitConcatenated(text: string): string[] | null {
  const n = text.length;
  let i = skipSpace(text, 0);
  if (i >= n || text.charCodeAt(i) !== OPEN_OBJECT) return null;
  const pieces: string[] = [];
  while (i < n) {
    const start = i;
    const end = objectEnd(text, start);
    if (end === -1) {
      // Unterminated: the rest is one last piece (or, alone, not a concatenation at all).
      pieces.push(text.slice(start));
      break;
    }
    pieces.push(text.slice(start, end));
    i = skipSpace(text, end);
    if (i < n && text.charCodeAt(i) !== OPEN_OBJECT) {
      if (pieces.length === 1) return null;
      pieces.push(text.slice(i));
      break;
    }
  }
  return pieces.length > 1 ? pieces : null;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the object that opens at `start`, or -1 when the text ends inside it. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
