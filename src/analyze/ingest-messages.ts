import type { ConcatenatedFile } from '../../schemas/report.js';
import type { InputProblem } from '../ingest/read-lines.js';
import type { IngestStats } from './ingest-files.js';

export type ToWorker =
  /** Read the file with the exact reader: every record normalized and classified in TypeScript. */
  | { type: 'file'; file: string }
  /** Decompress and check the file and write its staging copy for DuckDB (src/ingest/staged-file.ts). */
  | { type: 'stage'; file: string; src: number; staging: string; lineKey: string }
  /** Run the exact reader on these lines of a staged file (the records DuckDB did not take). */
  | { type: 'lines'; file: string; src: number; staging: string; lineKey: string; lines: number[] }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'spill'; file: string; rows: number }
  | { type: 'problem'; problem: InputProblem }
  | { type: 'concatenated'; concatenated: ConcatenatedFile }
  | { type: 'progress'; bytes: number; events: number }
  | { type: 'done'; stats: IngestStats }
  | {
      type: 'staged';
      src: number;
      ok: boolean;
      records: number;
      bytes: number;
      /** What the exact reader made of the lines kept out of the staging file. */
      direct: IngestStats;
      why?: string;
    }
  | { type: 'lines-done'; src: number; stats: IngestStats }
  | { type: 'stopped' };
