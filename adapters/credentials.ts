import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { FleetAccountConfig } from '../schemas/config.js';
import { awsClientConfig } from './aws-client-config.js';

/**
 * Credentials for one account of the fleet, through the SDK's own providers: a named profile
 * (`fromIni`, which also follows a profile's own role_arn/source_profile chain), or STS AssumeRole
 * on the account's role (`fromTemporaryCredentials`) with its external id, from the default
 * credentials (or the given profile's). The standard configuration applies: `AWS_ENDPOINT_URL_STS`,
 * `AWS_PROFILE`, the config and credentials files.
 */

export type CredentialsProvider = ReturnType<typeof fromIni>;
export type Credentials = Awaited<ReturnType<CredentialsProvider>>;

export interface BaseCredentials {
  /** `--profile`: the credentials roles are assumed with, when an account names no profile. */
  profile?: string;
}

/** Refreshed this long before they expire, so a long apply never signs with stale credentials. */
const REFRESH_MS = 5 * 60_000;

export function accountCredentials(
  account: FleetAccountConfig,
  sessionName: string,
  base: BaseCredentials = {},
): CredentialsProvider {
  const region = account.regions[0];
  if (!account.roleArn) return memoize(fromIni({ profile: account.profile as string }));
  const source = account.profile ?? base.profile;
  return memoize(
    fromTemporaryCredentials({
      params: {
        RoleArn: account.roleArn,
        RoleSessionName: account.sessionName ?? sessionName,
        ...(account.externalId ? { ExternalId: account.externalId } : {}),
      },
      ...(source ? { masterCredentials: fromIni({ profile: source }) } : {}),
      clientConfig: awsClientConfig({ ...(region ? { region } : {}), maxAttempts: 2 }),
    }),
  );
}

/**
 * One AssumeRole per account and run, however many regional clients sign with the result (each
 * SDK client would otherwise assume the role itself); renewed shortly before expiry. A failure is
 * not cached, so the next call tries again.
 */
export function memoize(provider: CredentialsProvider): CredentialsProvider {
  let pending: Promise<Credentials> | undefined;
  return async (props) => {
    if (pending) {
      const current = await pending.catch(() => undefined);
      const expiresAt = current?.expiration?.getTime();
      if (current && (expiresAt === undefined || expiresAt - Date.now() > REFRESH_MS)) return current;
    }
    pending = provider(props);
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** Why credentials cannot be had, in a line (the STS error code and message), or undefined. */
export async function credentialProblem(provider: CredentialsProvider): Promise<string | undefined> {
  try {
    await provider();
    return undefined;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const name = e.name && e.name !== 'Error' && e.name !== 'CredentialsProviderError' ? `${e.name}: ` : '';
    return `${name}${e.message ?? String(error)}`;
  }
}
