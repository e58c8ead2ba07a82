import type { WafEvent } from '../../schemas/event.js';
import { processRecordText } from '../ingest/process.js';
import { type InputProblem, readLogLines } from '../ingest/read-lines.js';

export interface IngestStats {
  files: number;
  bytes: number;
  lines: number;
  events: number;
  rejected: number;
}

export type IngestProgress = (done: { bytes: number; events: number }) => void;

export const emptyStats = (): IngestStats => ({ files: 0, bytes: 0, lines: 0, events: 0, rejected: 0 });

/**
 * Reads one file and turns each line into a classified event for `emit`, and every bad line or
 * file problem into `onProblem`; adds to `stats`.
 */
export async function ingestFile(
  path: string,
  stats: IngestStats,
  emit: (event: WafEvent) => void,
  onProblem: (problem: InputProblem) => void,
  onBytes?: (compressedBytes: number) => void,
): Promise<void> {
  const problem = (p: InputProblem) => {
    stats.rejected++;
    onProblem(p);
  };
  stats.files++;
  for await (const { line, text } of readLogLines(path, problem, (n) => {
    stats.bytes += n;
    onBytes?.(n);
  })) {
    stats.lines++;
    const result = processRecordText(text);
    if (result.ok) {
      stats.events++;
      emit(result.event);
    } else {
      problem({ file: path, line, reason: result.reason, excerpt: text });
    }
  }
}
