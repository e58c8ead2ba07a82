import { splitConcatenated } from './concatenated.js';
import { type ProcessResult, processRecordText } from './process.js';

export type Processor = (text: string) => ProcessResult;

export interface TextResults {
  /** One result per record in the text, in order. */
  results: ProcessResult[];
  /** The records' own texts when the text held several back to back (`}{`), else null. */
  pieces: string[] | null;
}

/**
 * A line of a log file (or one Firehose record's data) -> the result of each WAF record in it. A
 * text that does not parse as one record is tried as records written back to back; each piece is
 * then processed on its own, so a bad piece is a reject of its own and the good ones are events.
 */
export function processText(text: string, process: Processor = processRecordText): TextResults {
  const first = process(text);
  if (first.ok) return { results: [first], pieces: null };
  const pieces = splitConcatenated(text);
  if (pieces === null) return { results: [first], pieces: null };
  return { results: pieces.map((piece) => process(piece)), pieces };
}

/** A failed piece's reason, saying where on its line or record it sat. */
export function pieceReason(reason: string, index: number, count: number, where: string): string {
  return `${reason} (record ${index + 1} of ${count} written back to back ${where})`;
}
