import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../src/analyze/window.js';
import { colorEnabled } from './color.js';
import { UsageError } from './exit.js';

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

/** Colour by --no-color, FORCE_COLOR, NO_COLOR and whether the stream is a terminal (cli/color.ts). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return colorEnabled(stream);
}

/** `--engine`, with its choices and its one default shown by the help. */
export function engineOption(): Option {
  return new Option('--engine <engine>', 'where the queries run: embedded DuckDB on local files, or Athena')
    .choices(['duckdb', 'athena'])
    .default('duckdb');
}

/** An option value that is a duration (30m, 24h, 7d): a bad one is a usage error. */
export function durationArg(value: string): string {
  try {
    parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

const SOURCE_HELP =
  'log files or folders (gzip or plain JSON lines), s3://bucket/prefix, or cwl://log-group (CloudWatch Logs)';

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
    throw new UsageError(
      'no source given: name log files, folders, s3://bucket/prefix or cwl://log-group (e.g. waftune analyze ./logs)',
    );
  }
  return all;
}
