import type { Command } from 'commander';
import { register as registerAnalyze } from './analyze.js';

/**
 * Every `waftune` command registers itself here; each lives in its own file in this folder and
 * exports `register(program)`.
 */
export function registerCommands(program: Command): void {
  registerAnalyze(program);
}
