import { z } from 'zod';

/**
 * `--config FILE` (JSON). Every field has a default, so `{}` is a valid configuration; unknown
 * keys are refused so that a typo does not silently fall back to a default.
 */

const cidr = z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'an IP address or CIDR, e.g. 203.0.113.0/24');

export const configSchema = z.strictObject({
  /** Addresses and ranges that are never suggested for blocking (offices, partners, your own monitors). */
  allowlist: z.array(cidr).default([]),
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
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;

export const DEFAULT_CONFIG: Config = configSchema.parse({});
