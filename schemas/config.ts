import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * `--config FILE` (JSON). Every field has a default, so `{}` is a valid configuration; unknown
 * keys are refused so that a typo does not silently fall back to a default.
 */

/** An address or CIDR range as ipaddr.js (which the suggester and the WAF code use) reads it. */
function isAddressOrRange(text: string): boolean {
  if (text.includes('/')) {
    try {
      ipaddr.parseCIDR(text);
      return true;
    } catch {
      return false;
    }
  }
  return ipaddr.isValid(text) && (text.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(text));
}

const cidr = z.string().refine(isAddressOrRange, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an IP address or CIDR range (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/48)`,
});

/**
 * A proxy range the operator vouches for: an exact CIDR (no host bits set) or address, and no
 * wider than a /8 (IPv4) or /32 (IPv6): a range that wide is a typo or the internet, and whoever
 * sends from it could write X-Forwarded-For for anyone.
 */
const proxyRange = z.string().superRefine((text, ctx) => {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  let bits: number;
  try {
    [addr, bits] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), -1];
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an IP address or CIDR, e.g. 203.0.113.0/24` });
    return;
  }
  if (!ipaddr.isValid(text.split('/')[0] ?? '') || text.includes('%')) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an IP address or CIDR, e.g. 203.0.113.0/24` });
    return;
  }
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  if (bits === -1) bits = max;
  const widest = addr.kind() === 'ipv4' ? 8 : 32;
  if (bits < widest)
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is wider than a /${widest}: name the proxies' own ranges`,
    });
  const network = ipaddr.parse(
    addr.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`).toString(),
  );
  if (network.toString() !== addr.toString())
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" has host bits set: the range is ${network.toString()}/${bits}`,
    });
});

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** An IAM role to assume (the fleet file's accounts, the expire function's other accounts). */
export const roleArnSchema = z
  .string()
  .regex(ROLE_ARN, 'an IAM role ARN, e.g. arn:aws:iam::111122223333:role/waftune');
/** What a role's trust policy asks for as sts:ExternalId. */
export const externalIdSchema = z
  .string()
  .regex(/^[\w+=,.@:/-]{2,1224}$/, '2 to 1,224 of letters, digits and +=,.@:/-');

/**
 * One AWS account of the fleet. Credentials come from a named profile, or from STS AssumeRole on
 * `roleArn` (with the account's `externalId`, as cross-account roles for agencies require); with
 * both, the role is assumed with the profile's credentials. The account id is the role ARN's, or
 * `id` for a profile.
 */
export const fleetAccountSchema = z
  .strictObject({
    /** What people call it (`--account client-a`, report lines). */
    name: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-", at most 64'),
    id: z.string().regex(ACCOUNT_ID, 'a 12-digit AWS account id').optional(),
    profile: z.string().min(1).optional(),
    roleArn: roleArnSchema.optional(),
    externalId: externalIdSchema.optional(),
    /** RoleSessionName: what CloudTrail in the client account shows as the session. */
    sessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/, '2 to 64 of letters, digits and +=,.@-')
      .optional(),
    /** Regions whose REGIONAL web ACLs (ALB, API Gateway, ...) are covered. */
    regions: z.array(z.string().regex(REGION, 'an AWS region, e.g. eu-west-1')).min(1),
    /** CLOUDFRONT web ACLs (managed in us-east-1) too. */
    cloudfront: z.boolean().default(true),
  })
  .superRefine((a, ctx) => {
    if (!a.profile && !a.roleArn)
      ctx.addIssue({ code: 'custom', message: 'give a profile or a roleArn', path: ['profile'] });
    const fromArn = a.roleArn ? ROLE_ARN.exec(a.roleArn)?.[1] : undefined;
    if (!a.id && !fromArn)
      ctx.addIssue({
        code: 'custom',
        message: 'required with a profile: the 12-digit account id (a roleArn carries it)',
        path: ['id'],
      });
    if (a.id && fromArn && a.id !== fromArn)
      ctx.addIssue({ code: 'custom', message: `is ${a.id} but the roleArn is in ${fromArn}`, path: ['id'] });
    if (a.externalId && !a.roleArn)
      ctx.addIssue({ code: 'custom', message: 'an externalId goes with a roleArn', path: ['externalId'] });
  })
  .transform((a) => ({ ...a, id: a.id ?? (ROLE_ARN.exec(a.roleArn ?? '')?.[1] as string) }));
export type FleetAccountConfig = z.infer<typeof fleetAccountSchema>;

export const fleetSchema = z
  .strictObject({
    accounts: z.array(fleetAccountSchema).min(1),
    /** Default RoleSessionName for the accounts that do not set one. */
    sessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/, '2 to 64 of letters, digits and +=,.@-')
      .default('waftune'),
  })
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.accounts.forEach((a, i) => {
      for (const [key, value] of [
        ['name', a.name],
        ['id', a.id],
      ] as const) {
        if (!value) continue;
        const first = seen.get(`${key}:${value}`);
        if (first !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `${value} is also accounts.${first}'s ${key}`,
            path: ['accounts', i, key],
          });
        else seen.set(`${key}:${value}`, i);
      }
    });
  });
export type FleetConfig = z.infer<typeof fleetSchema>;

export const configSchema = z.strictObject({
  /** Addresses and ranges that are never suggested for blocking (offices, partners, your own monitors). */
  allowlist: z.array(cidr).default([]),
  /**
   * Proxies in front of your load balancers that are yours or that you trust (a host's own proxy
   * tier, a CDN that publishes no ranges): like the published CDN ranges waftune ships, they are
   * edges: never blocked, their clients judged by the right-most X-Forwarded-For. An address whose
   * traffic shows it is a front (many clean forwarded clients in many user agents) is taken so
   * too, but the clients it carries count as one source where a crowd of senders is evidence.
   */
  trustedProxies: z.array(proxyRange).default([]),
  ipBlock: z
    .strictObject({
      expiresAfterDays: z.number().int().min(1).max(365).default(7),
      /** Sites with attack evidence from one address before a block is suggested on that alone. */
      minSites: z.number().int().min(1).default(2),
      /** Requests with strong attack evidence (payloads, probes, scanner tools) before a single-site block. */
      minStrongRequests: z.number().int().min(1).default(5),
    })
    .prefault({}),
  override: z
    .strictObject({
      /** Distinct client IPs that must show the same false positive before an override is suggested. */
      minClientIps: z.number().int().min(1).default(2),
      minRequests: z.number().int().min(1).default(3),
      /** Largest share of the requests an override lets through that may come from attack sources not stopped by an IP block. */
      maxAttackShare: z.number().min(0).max(1).default(0.1),
      /**
       * Largest share that may come from one-shot sources (nothing else from them in the window) not
       * stopped by an IP block: a scope that cannot tell them from the false positives is not made.
       */
      maxOneShotShare: z.number().min(0).max(1).default(0.02),
    })
    .prefault({}),
  /**
   * The AWS accounts plan, apply, rollback, expire and connect work on (the web ACL ARNs in the
   * logs say which account each belongs to). Absent: the default credentials' account only.
   */
  fleet: fleetSchema.optional(),
});

export type Config = z.infer<typeof configSchema>;

export const DEFAULT_CONFIG: Config = configSchema.parse({});
