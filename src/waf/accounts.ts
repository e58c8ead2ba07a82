import { locationFor, WafApiError, type WafPort } from './port.js';
import type {
  IpSet,
  IpSetRef,
  IpVersion,
  LoggingConfiguration,
  Rule,
  WafLocation,
  WebAcl,
  WebAclRef,
} from './types.js';

/**
 * A fleet of AWS accounts (the config file's `fleet` section). Each account has its own web ACLs
 * and IP sets; a web ACL's ARN names its account, so a suggestion built from a central log bucket
 * that several accounts deliver to already says where each change goes. The domain only needs to
 * know which account a place belongs to: `FleetWafPort` hands each call to that account's port
 * (built at the edge with the account's credentials).
 */

export interface FleetAccount {
  id: string;
  name: string;
  /** Regions whose REGIONAL web ACLs are covered. */
  regions: string[];
  /** CLOUDFRONT web ACLs (us-east-1) too. */
  cloudfront: boolean;
}

/** An account that could not be reached (AssumeRole refused, no such profile): said once, skipped. */
export interface UnavailableAccount {
  account: FleetAccount;
  reason: string;
}

const ACCOUNT_ID = /^\d{12}$/;

/** The account id an ARN names (`arn:aws:wafv2:eu-west-1:111122223333:...`). */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && ACCOUNT_ID.test(account) ? account : undefined;
}

export function findAccount(accounts: readonly FleetAccount[], idOrName: string): FleetAccount | undefined {
  return accounts.find((a) => a.id === idOrName) ?? accounts.find((a) => a.name === idOrName);
}

export function accountLabel(place: { account?: string; accountName?: string }): string {
  if (!place.account) return '';
  return place.accountName ? `${place.accountName} (${place.account})` : place.account;
}

export function describeAccount(a: FleetAccount): string {
  return `${a.name} (${a.id})`;
}

/** Where an account's web ACLs are: REGIONAL in each of its regions, and CLOUDFRONT in us-east-1. */
export function accountLocations(a: FleetAccount): WafLocation[] {
  const places: WafLocation[] = a.regions.map((region) => locationFor('REGIONAL', region));
  if (a.cloudfront) places.push(locationFor('CLOUDFRONT', 'us-east-1'));
  return places.map((p) => inAccount(p, a));
}

export function inAccount<T extends WafLocation>(place: T, a: FleetAccount): T {
  return { ...place, account: a.id, accountName: a.name };
}

/**
 * Which account a web ACL (by ARN) belongs to, in the fleet's terms: one of its accounts, one
 * that cannot be reached now, or none the fleet file lists.
 */
export type Placement =
  | { kind: 'account'; account: FleetAccount }
  | { kind: 'unavailable'; account: FleetAccount; reason: string }
  | { kind: 'unknown'; accountId: string | undefined };

export function placeArn(
  arn: string,
  accounts: readonly FleetAccount[],
  unavailable: readonly UnavailableAccount[] = [],
): Placement {
  const id = accountOfArn(arn);
  const down = unavailable.find((u) => u.account.id === id);
  if (down) return { kind: 'unavailable', account: down.account, reason: down.reason };
  const account = accounts.find((a) => a.id === id);
  return account ? { kind: 'account', account } : { kind: 'unknown', accountId: id };
}

/** Raised for a call to an account the run could not reach (its web ACLs are left out up front). */
export function accountUnavailable(account: string | undefined, why: string): WafApiError {
  return new WafApiError('other', 'AccountUnavailable', `account ${account ?? '(none)'}: ${why}`);
}

/**
 * A WafPort over several accounts: every call goes to the port of the account its place names
 * (a location's `account`, or the account in a ref's ARN). Listings are checked against the
 * account they were asked of, so credentials for the wrong account (a profile pointing elsewhere)
 * are caught before anything is written with them.
 */
export class FleetWafPort implements WafPort {
  constructor(
    private readonly ports: ReadonlyMap<string, WafPort>,
    private readonly unavailable: ReadonlyMap<string, string> = new Map(),
  ) {}

  private port(account: string | undefined): WafPort {
    const port = account ? this.ports.get(account) : undefined;
    if (port) return port;
    const why = account ? this.unavailable.get(account) : undefined;
    throw accountUnavailable(
      account,
      why ?? (account ? 'not in the fleet file' : 'a fleet run needs the account of every place'),
    );
  }

  private forRef(ref: WebAclRef | IpSetRef): WafPort {
    return this.port(ref.account ?? accountOfArn(ref.arn));
  }

  private checkOwner<T extends { arn: string }>(location: WafLocation, items: T[], what: string): T[] {
    for (const item of items) {
      const owner = accountOfArn(item.arn);
      if (owner && location.account && owner !== location.account) {
        throw accountUnavailable(
          location.account,
          `its credentials list ${what} of account ${owner}: the profile or role is for another account`,
        );
      }
    }
    return items;
  }

  async listWebAcls(location: WafLocation): Promise<WebAclRef[]> {
    return this.checkOwner(location, await this.port(location.account).listWebAcls(location), 'web ACLs');
  }

  getWebAcl(ref: WebAclRef): Promise<{ acl: WebAcl; lockToken: string }> {
    return this.forRef(ref).getWebAcl(ref);
  }

  updateWebAcl(ref: WebAclRef, acl: WebAcl, lockToken: string): Promise<string> {
    return this.forRef(ref).updateWebAcl(ref, acl, lockToken);
  }

  checkCapacity(location: WafLocation, rules: Rule[]): Promise<number> {
    return this.port(
      location.account ?? accountOfArn((location as Partial<WebAclRef>).arn ?? ''),
    ).checkCapacity(location, rules);
  }

  async listIpSets(location: WafLocation): Promise<IpSetRef[]> {
    return this.checkOwner(location, await this.port(location.account).listIpSets(location), 'IP sets');
  }

  getIpSet(ref: IpSetRef): Promise<{ ipSet: IpSet; lockToken: string }> {
    return this.forRef(ref).getIpSet(ref);
  }

  createIpSet(
    location: WafLocation,
    spec: { name: string; version: IpVersion; addresses: string[]; description: string },
  ): Promise<IpSetRef> {
    return this.port(location.account).createIpSet(location, spec);
  }

  updateIpSet(ref: IpSetRef, addresses: string[], lockToken: string, description?: string): Promise<string> {
    return this.forRef(ref).updateIpSet(ref, addresses, lockToken, description);
  }

  deleteIpSet(ref: IpSetRef, lockToken: string): Promise<void> {
    return this.forRef(ref).deleteIpSet(ref, lockToken);
  }

  getLoggingConfiguration(ref: WebAclRef): Promise<LoggingConfiguration | undefined> {
    return this.forRef(ref).getLoggingConfiguration(ref);
  }

  putLoggingConfiguration(ref: WebAclRef, config: LoggingConfiguration): Promise<void> {
    return this.forRef(ref).putLoggingConfiguration(ref, config);
  }

  deleteLoggingConfiguration(ref: WebAclRef): Promise<void> {
    return this.forRef(ref).deleteLoggingConfiguration(ref);
  }
}
