import type { FleetSignal, IpFacts } from '../signal.js';

/** Fewer requests than this say too little about how consistent a client is. */
export const INTEGRATION_MIN_REQUESTS = 4;

/**
 * A consistent integration client: WordPress application passwords (deploy and CI systems, the
 * mobile apps), payment and webhook callbacks, Jetpack. It sends credentials or a signature, keeps
 * one or two user agents, WAF lets most of its requests through (its authenticated reads, or its
 * callbacks), and it never shows payload evidence. Its cookie-less writes to the REST API are how
 * integrations write, not a bot trying its luck.
 */
export function isIntegration(ip: IpFacts): boolean {
  return (
    (ip.authRequests > 0 || ip.callbackRequests > 0) &&
    (ip.authReadsAllowed > 0 || ip.callbackRequests > 0) &&
    ip.hostileRequests === 0 &&
    ip.userAgents <= 2 &&
    ip.requests >= INTEGRATION_MIN_REQUESTS &&
    ip.allowedRequests * 2 > ip.requests
  );
}

export const ipIntegration: FleetSignal = {
  id: 'ip-integration',
  stage: 'fleet',
  weight: -3,
  reason:
    'a consistent integration (application password, app, webhook): one user agent, mostly allowed, no payloads',
  applies: (_e, f) => f.ip !== undefined && isIntegration(f.ip),
  // XML-RPC is blocked by the WordPress rule set for its path alone: that is how every XML-RPC
  // client (Jetpack, the apps, publishing pipelines) is answered, no exploit.
  suppresses: [
    'admin-write-without-session',
    'http-library-user-agent',
    'no-user-agent',
    'injection-outside-body',
  ],
};
