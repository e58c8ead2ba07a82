import type { Command } from 'commander';
import { register as registerAnalyze } from './analyze.js';
import { register as registerConnect } from './connect.js';

/**
 * Every `waftune` command registers itself here; each lives in its own file in this folder and
 * exports `register(program)`.
 */
export function registerCommands(program: Command): void {
  registerAnalyze(program);
  registerConnect(program);
}
