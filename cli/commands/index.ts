import type { Command } from 'commander';

/**
 * Every `waftune` command registers itself here; each lives in its own file in this folder and
 * exports `register(program)`.
 */
export function registerCommands(_program: Command): void {}
