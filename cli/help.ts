import type { Command } from 'commander';

/**
 * The part of each command's help that people look for first: examples, and the environment
 * variables the command reads (a test holds the lists to what the code reads).
 */

export interface EnvVar {
  name: string;
  what: string;
}

const COLOR_ENV: EnvVar[] = [
  { name: 'NO_COLOR', what: 'any value: no colour (https://no-color.org)' },
  { name: 'FORCE_COLOR', what: 'colour even when not on a terminal (0 or false: never)' },
];

export const AWS_ENV: EnvVar[] = [
  { name: 'AWS_PROFILE', what: 'the AWS profile (or --profile)' },
  { name: 'AWS_REGION', what: 'the region of REGIONAL web ACLs (or --region)' },
  {
    name: 'AWS_ACCESS_KEY_ID',
    what: 'with AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: credentials, as every AWS tool reads them',
  },
  { name: 'AWS_CONFIG_FILE', what: 'and AWS_SHARED_CREDENTIALS_FILE: where profiles are' },
];

export const WAF_ENV: EnvVar[] = [
  ...AWS_ENV,
  { name: 'AWS_ENDPOINT_URL_WAFV2', what: 'another WAFv2 endpoint (tests, a proxy)' },
  {
    name: 'WAFTUNE_AUDIT_URL',
    what: 'the change history as s3://bucket/prefix (or --audit; default <state-dir>/changes/)',
  },
  { name: 'AWS_ENDPOINT_URL_S3', what: 'another S3 endpoint for the change history' },
];

export const WRITER_ENV: EnvVar[] = [
  { name: 'USER', what: 'who made a change, where the system has no user name for this process' },
];

export const SOURCE_ENV: EnvVar[] = [
  ...AWS_ENV,
  { name: 'AWS_ENDPOINT_URL_S3', what: 'another S3 endpoint for s3:// sources (MinIO, a local S3)' },
  { name: 'AWS_ENDPOINT_URL_ATHENA', what: 'another Athena endpoint, with --engine athena' },
];

export const SLACK_ENV: EnvVar[] = [
  { name: 'WAFTUNE_SLACK_WEBHOOK_URL', what: 'the Slack incoming webhook (or --slack-webhook)' },
  { name: 'WAFTUNE_SLACK_BOT_TOKEN', what: 'a bot token: posts with chat.postMessage, so alerts thread' },
  { name: 'WAFTUNE_SLACK_CHANNEL', what: 'the channel for the bot token (or --slack-channel)' },
  { name: 'WAFTUNE_SLACK_API_URL', what: 'another Slack API base URL (tests, a relay)' },
  { name: 'TZ', what: 'the default of --time-zone' },
];

function uniqueByName(vars: readonly EnvVar[]): EnvVar[] {
  const seen = new Map<string, EnvVar>();
  for (const v of vars) if (!seen.has(v.name)) seen.set(v.name, v);
  return [...seen.values()];
}

export function helpFooter(examples: readonly string[], env: readonly EnvVar[]): string {
  const vars = uniqueByName([...env, ...COLOR_ENV]);
  const width = Math.max(...vars.map((v) => v.name.length));
  return [
    '',
    'Examples:',
    ...examples.map((e) => `  $ ${e}`),
    '',
    'Environment:',
    ...vars.map((v) => `  ${v.name.padEnd(width)}  ${v.what}`),
    '',
    'Exit codes: 0 done, 1 failed, 2 partial (some input rejected or some web ACL failed), 64 usage error.',
  ].join('\n');
}

/** Adds the examples and environment section after the options. */
export function withHelp(cmd: Command, examples: readonly string[], env: readonly EnvVar[]): Command {
  return cmd.addHelpText('after', helpFooter(examples, env));
}
