import { join } from 'node:path';
import type { Command } from 'commander';

/** The options every command shares (DESIGN §7). */
export interface CommonOptions {
  json?: boolean;
  config?: string;
  stateDir: string;
  profile?: string;
  region?: string;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'machine-readable JSON on stdout')
    .option('--config <file>', 'configuration file (JSON)')
    .option('--state-dir <dir>', 'saved suggestions, change history, alert state', '.waftune')
    .option('--profile <name>', 'AWS profile')
    .option('--region <region>', 'AWS region');
}

/** Applies --profile/--region to the standard SDK configuration the adapters read. */
export function applyAwsOptions(options: CommonOptions): void {
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  if (options.region) process.env.AWS_REGION = options.region;
}

export const suggestionsFile = (stateDir: string) => join(stateDir, 'suggestions.json');

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return (
    Boolean(stream.isTTY) &&
    !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') &&
    process.env.TERM !== 'dumb'
  );
}

const SOURCE_HELP = 'log files or folders (gzip or plain JSON lines), or s3://bucket/prefix';

/** `<source>` as arguments or as `--source` (both may be given); none is an error except on Athena. */
export function addSourceArguments(cmd: Command): Command {
  return cmd
    .argument('[source...]', SOURCE_HELP)
    .option('--source <source...>', `${SOURCE_HELP} (same as the arguments)`);
}

export function sourcesOf(
  positional: readonly string[],
  options: { source?: string[]; engine?: string },
): string[] {
  const all = [...positional, ...(options.source ?? [])];
  if (all.length === 0 && options.engine !== 'athena') {
    throw new Error(
      'no source given: name log files, folders or s3://bucket/prefix (e.g. waftune analyze ./logs)',
    );
  }
  return all;
}
