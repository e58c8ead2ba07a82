import type { WafEvent } from '../../schemas/event.js';
import { processRecordText } from '../ingest/process.js';
import { readLogLines } from '../ingest/read-lines.js';
import type { RejectLog } from '../ingest/rejects.js';
import type { SourceFile } from '../ingest/sources.js';

export interface IngestStats {
  files: number;
  bytes: number;
  lines: number;
  events: number;
  rejected: number;
}

export type IngestProgress = (done: { bytes: number; events: number }) => void;

/** Reads every file, turns each line into a classified event for `emit`, and every bad one into a reject. */
export async function ingestFiles(
  files: readonly SourceFile[],
  emit: (event: WafEvent) => Promise<void>,
  rejects: RejectLog,
  progress?: IngestProgress,
): Promise<IngestStats> {
  const stats: IngestStats = { files: files.length, bytes: 0, lines: 0, events: 0, rejected: 0 };
  const onProblem = (p: Parameters<RejectLog['add']>[0]) => {
    stats.rejected++;
    rejects.add(p);
  };
  let lastReport = 0;
  for (const file of files) {
    const onBytes = (n: number) => {
      stats.bytes += n;
      if (progress && stats.bytes - lastReport > 4 << 20) {
        lastReport = stats.bytes;
        progress({ bytes: stats.bytes, events: stats.events });
      }
    };
    for await (const { line, text } of readLogLines(file.path, onProblem, onBytes)) {
      stats.lines++;
      const result = processRecordText(text);
      if (result.ok) {
        stats.events++;
        await emit(result.event);
      } else {
        onProblem({ file: file.path, line, reason: result.reason, excerpt: text });
      }
    }
  }
  progress?.({ bytes: stats.bytes, events: stats.events });
  return stats;
}
