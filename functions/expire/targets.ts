import { accountCredentials, credentialProblem } from '../../adapters/credentials.js';
import { Wafv2Port } from '../../adapters/wafv2.js';
import { accountOfArn, FleetWafPort } from '../../src/waf/accounts.js';
import type { WafPort } from '../../src/waf/port.js';
import type { ExpireSettings } from './settings.js';

/** CloudTrail in the other accounts shows the function's sessions under this name. */
export const EXPIRE_SESSION_NAME = 'waftune-expire';

/** Where the function expires blocks: the port to WAF, and in a fleet the accounts and those it cannot reach. */
export interface ExpireTargets {
  port: WafPort;
  /** Only these accounts' IP sets: the function's own and the roles'. Absent when its account is unknown. */
  accounts?: string[];
  /** Roles that could not be assumed: their sets are reported as failed, the others go on. */
  unavailable?: Map<string, string>;
}

/**
 * The function's own account with its own credentials, and each role of WAFTUNE_EXPIRE_ROLES
 * assumed through STS, once per run, as the CLI does for a fleet (adapters/credentials.ts): a role
 * that cannot be assumed is said, not thrown, so one client's broken trust policy does not keep
 * the blocks in every other account from expiring. A role in the function's own account is not
 * assumed: the function's credentials are the ones its stack grants the IP sets to.
 */
export async function expireTargets(
  settings: Pick<ExpireSettings, 'AWS_REGION' | 'WAFTUNE_EXPIRE_ROLES' | 'WAFTUNE_EXPIRE_EXTERNAL_ID'>,
  ownAccount: string | undefined,
): Promise<ExpireTargets> {
  const region = settings.AWS_REGION;
  const own = new Wafv2Port({ region });
  if (ownAccount === undefined) return { port: own };
  // The history may hold other accounts' blocks (a fleet's CLI runs): not this function's to touch.
  if (settings.WAFTUNE_EXPIRE_ROLES.length === 0) return { port: own, accounts: [ownAccount] };
  const ports = new Map<string, WafPort>([[ownAccount, own]]);
  const unavailable = new Map<string, string>();
  const roles = settings.WAFTUNE_EXPIRE_ROLES.map((roleArn) => ({
    roleArn,
    // The settings' pattern holds a 12-digit account in every role ARN.
    id: accountOfArn(roleArn) as string,
  })).filter((r) => r.id !== ownAccount);
  await Promise.all(
    roles.map(async ({ roleArn, id }) => {
      const credentials = accountCredentials(
        {
          name: id,
          id,
          roleArn,
          regions: [region],
          cloudfront: true,
          ...(settings.WAFTUNE_EXPIRE_EXTERNAL_ID ? { externalId: settings.WAFTUNE_EXPIRE_EXTERNAL_ID } : {}),
        },
        EXPIRE_SESSION_NAME,
      );
      const problem = await credentialProblem(credentials);
      if (problem) unavailable.set(id, `cannot assume ${roleArn}: ${problem}`);
      else ports.set(id, new Wafv2Port({ region, clientConfig: { credentials } }));
    }),
  );
  return {
    port: new FleetWafPort(ports, unavailable),
    accounts: [ownAccount, ...roles.map((r) => r.id)],
    unavailable,
  };
}
