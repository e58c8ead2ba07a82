import { runAnalysis } from '../../cli/commands/analyze.js';
import type { Report } from '../../schemas/report.js';

/** `waftune analyze <source> [--since]` as the command runs it, in this process. */
export function analyzeSource(source: string, stateDir: string, since?: string): Promise<Report> {
  return runAnalysis([source], { engine: 'duckdb', progress: false, stateDir, ...(since ? { since } : {}) });
}
