import type { Command } from 'commander';
import {
  accountCredentials,
  type CredentialsProvider,
  credentialProblem,
} from '../../adapters/credentials.js';
import { Wafv2Port } from '../../adapters/wafv2.js';
import type { Config, FleetAccountConfig } from '../../schemas/config.js';
import { terminalSafe } from '../../src/text/terminal.js';
import {
  type FleetAccount,
  FleetWafPort,
  findAccount,
  type UnavailableAccount,
} from '../../src/waf/accounts.js';
import type { ChangeHeader } from '../../src/waf/audit.js';
import type { WafPort } from '../../src/waf/port.js';
import type { CommonOptions } from '../options.js';

/**
 * The fleet at the edge: each account of the config's `fleet` section gets its credentials (a
 * profile, or STS AssumeRole) and a WAFv2 port signed with them; `FleetWafPort` routes every call
 * to the account its place names. Credentials are checked once per account before anything is
 * read, so an account that cannot be reached is said once and left out, and the others go on.
 */

export interface FleetOptions {
  /** `--account`: only these accounts of the fleet (ids or names). */
  account?: string[];
}

export interface Fleet {
  /** The accounts of this run (all of the fleet file's, or those `--account` names). */
  accounts: FleetAccount[];
  /** Accounts of the fleet file that `--account` left out. */
  notSelected: string[];
  /** Every account of the run, with its configuration (credentials). */
  configs: Map<string, FleetAccountConfig>;
  unavailable: UnavailableAccount[];
  port: WafPort;
  credentials: Map<string, CredentialsProvider>;
}

export function addAccountOption(cmd: Command): Command {
  return cmd.option(
    '--account <id-or-name...>',
    'only these accounts of the fleet file (default: all of them)',
  );
}

export function fleetAccount(a: FleetAccountConfig): FleetAccount {
  return { id: a.id, name: a.name, regions: a.regions, cloudfront: a.cloudfront };
}

/** The accounts `--account` names (all of them without it); an unknown name is an error. */
export function selectAccounts(config: Config, wanted: readonly string[] | undefined): FleetAccountConfig[] {
  const all = config.fleet?.accounts ?? [];
  if (!wanted?.length) return all;
  const accounts = all.map(fleetAccount);
  return wanted.map((w) => {
    const found = findAccount(accounts, w);
    if (!found)
      throw new Error(
        `--account ${terminalSafe(w)}: no such account in the fleet file (there are: ${accounts.map((a) => `${a.name} ${a.id}`).join(', ')})`,
      );
    return all.find((a) => a.id === found.id) as FleetAccountConfig;
  });
}

/**
 * Opens the fleet the config describes, or undefined when it has none (single-account runs, as
 * before). `wafClient` lets tests point the ports at a local endpoint.
 */
export async function openFleet(
  config: Config,
  options: CommonOptions & FleetOptions,
): Promise<Fleet | undefined> {
  if (!config.fleet) {
    if (options.account?.length)
      throw new Error('--account needs a fleet section in the config file (--config)');
    return undefined;
  }
  const sessionName = config.fleet.sessionName;
  const selected = selectAccounts(config, options.account);
  const checked = await Promise.all(
    selected.map(async (a) => {
      const credentials = accountCredentials(
        a,
        sessionName,
        options.profile ? { profile: options.profile } : {},
      );
      return { config: a, credentials, problem: await credentialProblem(credentials) };
    }),
  );
  const ports = new Map<string, WafPort>();
  const credentials = new Map<string, CredentialsProvider>();
  const unavailable: UnavailableAccount[] = [];
  for (const c of checked) {
    const account = fleetAccount(c.config);
    if (c.problem) {
      const how = c.config.roleArn
        ? `cannot assume ${c.config.roleArn}`
        : `no credentials from profile ${c.config.profile}`;
      unavailable.push({ account, reason: `${how}: ${c.problem}` });
      continue;
    }
    credentials.set(account.id, c.credentials);
    ports.set(
      account.id,
      new Wafv2Port({
        region: account.regions[0] ?? 'us-east-1',
        clientConfig: { credentials: c.credentials },
      }),
    );
  }
  return {
    accounts: selected.map(fleetAccount),
    notSelected: config.fleet.accounts.filter((a) => !selected.includes(a)).map((a) => a.id),
    configs: new Map(selected.map((a) => [a.id, a])),
    unavailable,
    port: new FleetWafPort(ports, new Map(unavailable.map((u) => [u.account.id, u.reason]))),
    credentials,
  };
}

/** Every account of the fleet failed: nothing could be done anywhere (a failure, not a partial run). */
export function allUnavailable(fleet: Fleet | undefined): boolean {
  return Boolean(fleet && fleet.accounts.length > 0 && fleet.unavailable.length === fleet.accounts.length);
}

export function unavailableLines(fleet: Fleet | undefined): string[] {
  return (fleet?.unavailable ?? []).map(
    (u) =>
      `account ${terminalSafe(u.account.name)} (${u.account.id}) is left out: ${terminalSafe(u.reason, 500)}`,
  );
}

/** The accounts a change covered, for its header (so `apply --resume` redoes the ones it missed). */
export function fleetAccountsRecord(fleet: Fleet): NonNullable<ChangeHeader['accounts']> {
  return fleet.accounts.map((a) => {
    const down = fleet.unavailable.find((u) => u.account.id === a.id);
    return down
      ? { id: a.id, name: a.name, status: 'unavailable' as const, reason: down.reason }
      : { id: a.id, name: a.name, status: 'reached' as const };
  });
}

/** `--account` on analyze, suggest and digest: cut the data to these accounts' web ACLs. */
export function addAccountFilter(cmd: Command): Command {
  return cmd.option(
    '--account <id-or-name...>',
    'only the web ACLs of these AWS accounts (12-digit ids, or names from the fleet file)',
  );
}

/** The account ids `--account` names (a 12-digit id, or a fleet file name); undefined without it. */
export function accountIds(config: Config, wanted: readonly string[] | undefined): string[] | undefined {
  if (!wanted?.length) return undefined;
  const accounts = (config.fleet?.accounts ?? []).map(fleetAccount);
  return wanted.map((w) => {
    if (/^\d{12}$/.test(w)) return w;
    const found = findAccount(accounts, w);
    if (!found)
      throw new Error(
        `--account ${terminalSafe(w)}: not a 12-digit account id${accounts.length ? `, nor a name in the fleet file (${accounts.map((a) => a.name).join(', ')})` : ' (names need a fleet section in --config)'}`,
      );
    return found.id;
  });
}
