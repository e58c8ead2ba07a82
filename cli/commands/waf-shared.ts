import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { FileAuditStore } from '../../adapters/audit-store-fs.js';
import { S3AuditStore } from '../../adapters/audit-store-s3.js';
import { createS3Client, parseS3Url } from '../../adapters/s3-source.js';
import { Wafv2Port } from '../../adapters/wafv2.js';
import type { Decision } from '../../schemas/decision.js';
import type { SuggestionSet } from '../../schemas/suggestion.js';
import type { DecisionStore } from '../../src/suggest/decisions.js';
import type { Actor, AuditStore } from '../../src/waf/audit.js';
import { COLOR, PLAIN, type Style } from '../../src/waf/render.js';
import { parseSuggestionSet } from '../../src/waf/suggestions.js';
import { UsageError } from '../exit.js';
import { addCommonOptions, type CommonOptions, suggestionsFile, useColor } from '../options.js';

/** What plan, apply, rollback, changes and expire share: AWS and state wiring, confirmation, output. */

export interface AuditOptions {
  audit?: string;
}

export interface WafCommandOptions extends CommonOptions, AuditOptions {
  yes?: boolean;
  acl?: string[];
  suggestions?: string;
  maxWcu?: string;
  /** `--account`: only these accounts of the fleet file. */
  account?: string[];
  /** `--include-declined`: plan or apply suggestions the team declined, when named. */
  includeDeclined?: boolean;
}

export function addWafOptions(cmd: Command): Command {
  return addAuditOption(addCommonOptions(cmd));
}

export function addAuditOption(cmd: Command): Command {
  return cmd.option(
    '--audit <url>',
    'change history: s3://bucket/prefix, shared with the scheduled functions (default: $WAFTUNE_AUDIT_URL, else <state-dir>/changes/)',
  );
}

export function parseMaxWcu(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5000)
    throw new UsageError(`--max-wcu must be a whole number from 1 to 5000, got ${value}`);
  return n;
}

export function wafPort(options: CommonOptions): Wafv2Port {
  return new Wafv2Port({
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
}

/**
 * The change history: local files unless --audit (or $WAFTUNE_AUDIT_URL) names an S3 location, e.g.
 * the stack bucket's changes/ where the expire function records its runs and the digest and alerts
 * read what was applied.
 */
export function auditStore(options: CommonOptions & AuditOptions): AuditStore & DecisionStore {
  const url = options.audit ?? (process.env.WAFTUNE_AUDIT_URL || undefined);
  if (url === undefined) return new FileAuditStore(options.stateDir);
  if (!url.startsWith('s3://'))
    throw new UsageError(
      `--audit takes s3://bucket/prefix (or leave it out for ${options.stateDir}/changes/), got ${url}`,
    );
  const { bucket, prefix } = parseS3Url(url);
  const client = createS3Client({
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  return new S3AuditStore(client, bucket, prefix || 'changes/');
}

/** Who made a change: the local user and host, and the AWS profile when one is named. */
export function actor(options: CommonOptions): Actor {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  const profile = options.profile ?? process.env.AWS_PROFILE;
  return { user, host: hostname(), ...(profile ? { profile } : {}) };
}

export function outputStyle(): Style {
  return useColor(process.stdout) ? COLOR : PLAIN;
}

export function loadSuggestionSet(options: WafCommandOptions): SuggestionSet {
  const file = options.suggestions ?? suggestionsFile(options.stateDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        options.suggestions
          ? `no suggestions file ${file}`
          : `no saved suggestions in ${file}: run \`waftune suggest <logs>\` (or analyze) first, or pass --suggestions FILE`,
      );
    }
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseSuggestionSet(text, file);
}

export type Confirmation = 'yes' | 'no' | 'not-a-terminal';

/**
 * Asks before writing, like `terraform apply`: only "yes" goes ahead. Without a terminal there is
 * nobody to ask, so scripts must say --yes.
 */
export async function confirm(
  question: string,
  options: { yes?: boolean; json?: boolean },
): Promise<Confirmation> {
  if (options.yes) return 'yes';
  if (!process.stdin.isTTY) return 'not-a-terminal';
  const rl = createInterface({
    input: process.stdin,
    output: options.json ? process.stderr : process.stdout,
  });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted: `);
    return answer.trim() === 'yes' ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Human output goes to stdout, except with --json where stdout is reserved for the JSON. */
export function say(options: { json?: boolean }, text: string): void {
  if (!options.json) process.stdout.write(text);
}

export function commandLine(): string[] {
  return ['waftune', ...process.argv.slice(2)];
}

/**
 * The team's decisions, for the commands that propose suggestions. A store that cannot be read
 * does not stop the run: every suggestion is then proposed (the safe side: a declined one shows
 * again, none is hidden by mistake), and it says so.
 */
export async function readDecisions(
  options: CommonOptions & AuditOptions,
  warn: (message: string) => void = (m) => process.stderr.write(`waftune: warning: ${m}\n`),
): Promise<Decision[]> {
  const store = auditStore(options);
  try {
    return await store.listDecisions();
  } catch (error) {
    warn(
      `the decisions in ${store.decisionsLocation} could not be read (${error instanceof Error ? error.message : String(error)}); every suggestion is proposed`,
    );
    return [];
  }
}
