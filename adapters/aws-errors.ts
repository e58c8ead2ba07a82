/**
 * AWS SDK errors that are not about one web ACL but about reaching AWS at all: no credentials,
 * credentials AWS does not accept, no network. Such a cause fails every target the same way, so
 * the CLI says it once and stops (exit 1) instead of listing it per web ACL as a partial failure.
 */

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationTokenException',
]);

export function globalAwsFailure(error: unknown): string | undefined {
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown };
  const message = e?.message ?? String(error);
  if (e?.name && CREDENTIAL_ERRORS.has(e.name)) {
    return e.name === 'CredentialsProviderError'
      ? `no AWS credentials: ${message} (use --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`
      : `AWS did not accept the credentials (${e.name}): ${message}`;
  }
  const code = e?.code ?? (e?.cause as { code?: string } | undefined)?.code;
  if ((code && NETWORK_CODES.has(code)) || e?.name === 'TimeoutError') {
    return `cannot reach AWS (${code ?? e.name}): ${message}`;
  }
  return undefined;
}
