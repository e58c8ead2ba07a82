import type { Command } from 'commander';

/**
 * Every `waftune` command, in the order `waftune --help` lists them. Each lives in its own file in
 * this folder and exports `register(program)`; only the command being run is loaded, so
 * `waftune --help` and `--version` do not load DuckDB and the AWS SDK.
 */

export interface CommandEntry {
  name: string;
  /** One line for `waftune --help`; the command's own help has its full description. */
  summary: string;
  load(): Promise<{ register(program: Command): void }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'analyze',
    summary: 'what is blocked, on which sites, by which rule; false positives, attackers, suggestions',
    load: () => import('./analyze.js'),
  },
  {
    name: 'suggest',
    summary: 'suggestions only (rule overrides, IP blocks), saved for plan and apply',
    load: () => import('./suggest.js'),
  },
  {
    name: 'plan',
    summary: 'what apply would change in each web ACL, with WCU; or as Terraform/CloudFormation',
    load: () => import('./plan.js'),
  },
  {
    name: 'apply',
    summary: 'apply suggestions to the web ACLs (shows the plan, asks first)',
    load: () => import('./apply.js'),
  },
  {
    name: 'rollback',
    summary: 'undo a change where nothing changed since',
    load: () => import('./rollback.js'),
  },
  { name: 'changes', summary: 'the change history', load: () => import('./changes.js') },
  { name: 'expire', summary: 'remove expired IP blocks', load: () => import('./expire.js') },
  { name: 'decline', summary: 'turn suggestions down; they stay down', load: () => import('./decline.js') },
  {
    name: 'decisions',
    summary: 'the declined suggestions: who, when, why, until when',
    load: () => import('./decisions.js'),
  },
  { name: 'connect', summary: 'turn WAF logging on for the fleet', load: () => import('./connect.js') },
  {
    name: 'digest',
    summary: 'the last day as a Slack message and an HTML report',
    load: () => import('./digest.js'),
  },
  { name: 'watch', summary: 'alert on false-positive spikes', load: () => import('./watch.js') },
  {
    name: 'cdn-ranges',
    summary: 'the published CDN edge ranges in use, and their refresh',
    load: () => import('./cdn-ranges.js'),
  },
];

/** The command a command line runs (`waftune [global options] <command> ...`, `waftune help <command>`). */
export function commandOf(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}

/** Registers `entry` in full and the others as names with their summary (for help and suggestions). */
export async function registerCommands(program: Command, entry: CommandEntry | undefined): Promise<void> {
  for (const c of COMMANDS) {
    if (c === entry) (await c.load()).register(program);
    else program.command(c.name).summary(c.summary).description(c.summary);
  }
}

/** Every command in full (tests that read every help text). */
export async function registerAllCommands(program: Command): Promise<void> {
  for (const c of COMMANDS) (await c.load()).register(program);
}
