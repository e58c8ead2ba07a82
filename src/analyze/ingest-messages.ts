import type { ConcatenatedFile } from '../../schemas/report.js';
import type { InputProblem } from '../ingest/read-lines.js';
import type { IngestStats } from './ingest-files.js';

export type ToWorker = { type: 'file'; file: string } | { type: 'stop' };

export type FromWorker =
  | { type: 'spill'; file: string; rows: number }
  | { type: 'problem'; problem: InputProblem }
  | { type: 'concatenated'; concatenated: ConcatenatedFile }
  | { type: 'progress'; bytes: number; events: number }
  | { type: 'done'; stats: IngestStats }
  | { type: 'stopped' };
