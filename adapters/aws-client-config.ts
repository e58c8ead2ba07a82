import { WAFTUNE_VERSION } from '../src/version.js';

/**
 * What every AWS SDK client waftune makes has in common, so AWS-side records tell waftune's calls
 * from a person's: the user agent carries `app/waftune/<version>` (CloudTrail's userAgent field).
 * The rest of the configuration stays the standard SDK chain (profile, region, credentials,
 * AWS_ENDPOINT_URL_*); what a caller passes wins.
 */

export const USER_AGENT_APP_ID = `waftune/${WAFTUNE_VERSION}`;

export function awsClientConfig<T extends object>(config?: T): T & { userAgentAppId: string } {
  return { userAgentAppId: USER_AGENT_APP_ID, ...(config ?? ({} as T)) };
}

/**
 * WAFv2 allows about one write a second and five reads a second per account and region
 * (DESIGN §5); a fleet run meets that limit. Adaptive retry adds client-side rate limiting on top
 * of the standard backoff, so waftune slows down instead of failing the web ACLs after the first.
 */
export const WAFV2_RETRY = { retryMode: 'adaptive', maxAttempts: 5 } as const;

export function wafv2ClientConfig<T extends object>(config?: T) {
  return awsClientConfig({ ...WAFV2_RETRY, ...(config ?? ({} as T)) });
}

/** The endpoint an S3 client will use when one is configured instead of AWS's own. */
export function customS3Endpoint(
  config: { endpoint?: unknown },
  env: Record<string, string | undefined> = process.env,
): boolean {
  return Boolean(config.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
}

/**
 * S3 keeps the SDK's default integrity checks (CRC checksums on uploads, validated on downloads)
 * against AWS. Only a custom endpoint (s3rver, MinIO and other S3-compatible servers, which
 * mishandle the default checksums and virtual-hosted bucket names) gets checksums only where the
 * API requires them, and path-style addressing.
 */
export function s3ClientConfig<T extends { endpoint?: unknown }>(config?: T) {
  const custom = customS3Endpoint(config ?? {});
  return awsClientConfig({
    ...(custom
      ? {
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
          forcePathStyle: true,
        }
      : {}),
    ...(config ?? ({} as T)),
  });
}
