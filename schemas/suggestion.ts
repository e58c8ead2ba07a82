import { z } from 'zod';

/**
 * The suggestion contract: what `waftune analyze --json` / `suggest --json` print and what
 * `plan` / `apply` read. Documented in the README ("Suggestions").
 *
 * Semantics of a rule-override: it lets through a request whose terminating rule is `ruleId` in
 * `ruleGroup` and that meets every scope part given (a `paths` part is met when any listed path
 * matches; `query` matches the raw query string; every `headers` condition must be met).
 *
 * Semantics of an ip-block: a request is stopped when its `clientIp` is in one of `addresses`, or,
 * on a web ACL listed in `forwardedIpConfig.webAcls`, when the address at `position` in the
 * header `headerName` is (LAST: the right-most one, the address the CDN in front appended; a
 * missing or malformed header does not match: FallbackBehavior NO_MATCH).
 */

export const pathMatchSchema = z.object({
  match: z.enum(['EXACTLY', 'STARTS_WITH']),
  value: z.string().min(1),
});
export type PathMatch = z.infer<typeof pathMatchSchema>;

/**
 * A condition on one request header, as WAF's ByteMatch on `SingleHeader` decides it: `name` in
 * lower case (WAF matches header names case-insensitively), `value` compared with the header's
 * value as sent, no text transformation. A request without the header does not meet it. Several
 * headers of the same name (two Cookie headers) are one value joined by `; ` for `cookie`, `, `
 * otherwise, as WAF sees them.
 */
export const headerMatchSchema = z.object({
  name: z.string().regex(/^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'a lower-case HTTP header name'),
  match: z.enum(['EXACTLY', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS']),
  value: z.string().min(1).max(200),
});
export type HeaderMatch = z.infer<typeof headerMatchSchema>;

export const scopeSchema = z.object({
  methods: z.array(z.string().min(1)).min(1).optional(),
  paths: z.array(pathMatchSchema).min(1).optional(),
  query: z.object({ match: z.enum(['CONTAINS', 'EXACTLY']), value: z.string().min(1) }).optional(),
  hosts: z.array(z.string().min(1)).min(1).optional(),
  /** All required: e.g. `cookie` CONTAINS `wordpress_logged_in_`, so cookie-less spray stays blocked. */
  headers: z.array(headerMatchSchema).min(1).optional(),
});
export type Scope = z.infer<typeof scopeSchema>;

const sampleRequestSchema = z.object({
  time: z.string(),
  webAcl: z.string(),
  host: z.string(),
  clientIp: z.string(),
  method: z.string(),
  uri: z.string(),
  userAgent: z.string().nullable(),
  verdict: z.string().nullable(),
});
export type SampleRequest = z.infer<typeof sampleRequestSchema>;

export const ruleOverrideSchema = z.object({
  id: z.string().min(1),
  kind: z.literal('rule-override'),
  ruleGroup: z.string().min(1),
  ruleId: z.string().min(1),
  label: z.string().min(1),
  scope: scopeSchema,
  webAcls: z.array(z.string().min(1)).min(1),
  confidence: z.number().min(0).max(1),
  evidence: z.object({
    blockedRequests: z.number().int().nonnegative(),
    distinctIps: z.number().int().nonnegative(),
    sites: z.number().int().nonnegative(),
    /** Share of the blocked requests that carried a WordPress logged-in session (null where every ACL redacts cookies). */
    loggedInShare: z.number().min(0).max(1).nullable(),
    /** Distinct IPs among them that also did allowed admin work. */
    ipsWithAdminWork: z.number().int().nonnegative(),
    hostsSample: z.array(z.string()),
    samples: z.array(sampleRequestSchema),
  }),
  impact: z.object({
    /** Blocked requests in the window that this override would have let through. */
    wouldAllow: z.number().int().nonnegative(),
    /** Of those, how many came from sources with attack evidence. */
    wouldAllowFromAttackers: z.number().int().nonnegative(),
    /** Of those attacker requests, how many the accompanying IP blocks still stop. */
    stillBlockedByIpBlocks: z.number().int().nonnegative(),
  }),
  reasons: z.array(z.string()),
});
export type RuleOverride = z.infer<typeof ruleOverrideSchema>;

/**
 * Where the client was seen through a CDN (CloudFront in front of an ALB's web ACL): on those web
 * ACLs the block matches the forwarded client address (WAF's `IPSetForwardedIPConfig`), not the
 * CDN edge in `clientIp`.
 */
export const forwardedIpConfigSchema = z.object({
  headerName: z.string().min(1).max(255),
  position: z.enum(['FIRST', 'LAST', 'ANY']),
  fallbackBehavior: z.enum(['MATCH', 'NO_MATCH']),
  /** The web ACLs (ARNs) that see this client through the CDN and get the forwarded-address rule. */
  webAcls: z.array(z.string().min(1)).min(1),
});
export type ForwardedIpConfig = z.infer<typeof forwardedIpConfigSchema>;

export const ipBlockSchema = z.object({
  id: z.string().min(1),
  kind: z.literal('ip-block'),
  /** CIDRs: /32 or /128 for one address; several IPv6 attackers in one /64 may be one /64, never wider. */
  addresses: z.array(z.string().min(1)).min(1),
  forwardedIpConfig: forwardedIpConfigSchema.optional(),
  expiresAfterDays: z.number().int().positive(),
  confidence: z.number().min(0).max(1),
  evidence: z.object({
    requests: z.number().int().nonnegative(),
    blockedRequests: z.number().int().nonnegative(),
    sites: z.number().int().nonnegative(),
    webAcls: z.array(z.string()),
    signals: z.array(z.string()),
    userAgents: z.array(z.string()),
    samples: z.array(sampleRequestSchema),
  }),
  reasons: z.array(z.string()),
});
export type IpBlock = z.infer<typeof ipBlockSchema>;

export const suggestionSchema = z.discriminatedUnion('kind', [ruleOverrideSchema, ipBlockSchema]);
export type Suggestion = z.infer<typeof suggestionSchema>;

export const suggestionSetSchema = z.object({
  version: z.literal(1),
  window: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
  suggestions: z.array(suggestionSchema),
  /**
   * Suggestions the team declined (`waftune decline`) and that stay held: not proposed, kept so
   * that `plan` / `apply` can name who declined them (and take them with `--include-declined`).
   */
  declined: z.array(suggestionSchema).optional(),
});
export type SuggestionSet = z.infer<typeof suggestionSetSchema>;
