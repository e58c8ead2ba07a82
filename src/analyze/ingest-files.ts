import type { WafEvent } from '../../schemas/event.js';
import type { ConcatenatedFile } from '../../schemas/report.js';
import { pieceReason, processText } from '../ingest/process-text.js';
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
 * Reads one file and turns each record into a classified event for `emit`, and every bad record or
 * file problem into `onProblem`; adds to `stats`. Records written back to back on one line are all
 * read, and said once for the file through `onConcatenated`.
 */
export async function ingestFile(
  path: string,
  stats: IngestStats,
  emit: (event: WafEvent) => void,
  onProblem: (problem: InputProblem) => void,
  onBytes?: (compressedBytes: number) => void,
  onConcatenated?: (file: ConcatenatedFile) => void,
): Promise<void> {
  const problem = (p: InputProblem) => {
    stats.rejected++;
    onProblem(p);
  };
  stats.files++;
  let concatenated: ConcatenatedFile | null = null;
  for await (const { line, text } of readLogLines(path, problem, (n) => {
    stats.bytes += n;
    onBytes?.(n);
  })) {
    stats.lines++;
    const { results, pieces } = processText(text);
    if (pieces !== null) {
      concatenated ??= { file: path, lines: 0, records: 0, firstLine: line };
      concatenated.lines++;
      concatenated.records += pieces.length;
    }
    for (let i = 0; i < results.length; i++) {
      const result = results[i] as (typeof results)[number];
      if (result.ok) {
        stats.events++;
        emit(result.event);
      } else if (pieces === null) {
        problem({ file: path, line, reason: result.reason, excerpt: text });
      } else {
        problem({
          file: path,
          line,
          reason: pieceReason(result.reason, i, pieces.length, 'on this line'),
          excerpt: pieces[i] ?? null,
        });
      }
    }
  }
  if (concatenated) onConcatenated?.(concatenated);
}
