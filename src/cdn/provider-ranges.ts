import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * The published address ranges of the large CDNs other than CloudFront (whose ranges come from
 * AWS's ip-ranges.json, src/cdn/ip-ranges.ts): Cloudflare and Fastly each publish the addresses
 * their edges connect to origins from. An address in them may say who the client is (the
 * right-most X-Forwarded-For), as a CloudFront edge may. waftune ships a dated snapshot of each
 * (vendor/cdn-ranges/) and `waftune cdn-ranges update` refreshes them from the published lists.
 * Neither list carries a date of its own, so a snapshot records when it was retrieved.
 */

export const PROVIDERS = ['cloudflare', 'fastly'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const PROVIDER_URLS: Readonly<Record<Provider, string>> = {
  // The same lists as https://www.cloudflare.com/ips-v4 and ips-v6, in one JSON answer (no key needed).
  cloudflare: 'https://api.cloudflare.com/client/v4/ips',
  fastly: 'https://api.fastly.com/public-ip-list',
};

const isCidr = (kind: 'ipv4' | 'ipv6') => (s: string) => {
  try {
    const [addr] = ipaddr.parseCIDR(s);
    return addr.kind() === kind;
  } catch {
    return false;
  }
};
const v4 = z.string().refine(isCidr('ipv4'), 'an IPv4 CIDR');
const v6 = z.string().refine(isCidr('ipv6'), 'an IPv6 CIDR');

export const providerSnapshotSchema = z.object({
  about: z.string(),
  provider: z.enum(PROVIDERS),
  source: z.string(),
  /** UTC day the list was retrieved from `source` (YYYY-MM-DD). */
  retrieved: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
  /** What the provider says identifies this version of the list (Cloudflare's etag), if anything. */
  version: z.string().nullable(),
  ipv4: z.array(v4),
  ipv6: z.array(v6),
});
export type ProviderSnapshot = z.infer<typeof providerSnapshotSchema>;

/** Cloudflare's API answer: `{success, result: {ipv4_cidrs, ipv6_cidrs, etag}}`. */
const cloudflareAnswer = z.object({
  success: z.literal(true),
  result: z.object({ ipv4_cidrs: z.array(v4), ipv6_cidrs: z.array(v6), etag: z.string().optional() }),
});
/** Fastly's public IP list: `{addresses, ipv6_addresses}`. */
const fastlyAnswer = z.object({ addresses: z.array(v4), ipv6_addresses: z.array(v6) });

function about(provider: Provider): string {
  const name = provider === 'cloudflare' ? 'Cloudflare' : 'Fastly';
  return `${name}'s published edge ranges, as published at ${PROVIDER_URLS[provider]}. Refresh with \`waftune cdn-ranges update\`.`;
}

/** Reads a downloaded list into a snapshot, retrieved on `day`; throws when it is not the provider's format. */
export function parseProviderList(provider: Provider, text: string, day: string): ProviderSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message.slice(0, 120)}`);
  }
  const base = { about: about(provider), provider, source: PROVIDER_URLS[provider], retrieved: day };
  const fail = (issues: z.core.$ZodIssue[]) => {
    const issue = issues[0];
    return new Error(
      `not ${provider}'s published list: ${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}`,
    );
  };
  let snapshot: ProviderSnapshot;
  if (provider === 'cloudflare') {
    const parsed = cloudflareAnswer.safeParse(json);
    if (!parsed.success) throw fail(parsed.error.issues);
    const r = parsed.data.result;
    snapshot = { ...base, version: r.etag ?? null, ipv4: r.ipv4_cidrs, ipv6: r.ipv6_cidrs };
  } else {
    const parsed = fastlyAnswer.safeParse(json);
    if (!parsed.success) throw fail(parsed.error.issues);
    snapshot = { ...base, version: null, ipv4: parsed.data.addresses, ipv6: parsed.data.ipv6_addresses };
  }
  if (snapshot.ipv4.length === 0) throw new Error(`${provider}'s list names no IPv4 range`);
  return snapshot;
}

export interface ProviderRefresh {
  snapshot: ProviderSnapshot;
  status: 'updated' | 'unchanged';
  added: string[];
  removed: string[];
}

/** Compares a downloaded list with the snapshot in use. */
export function refreshProvider(
  provider: Provider,
  text: string,
  current: ProviderSnapshot | null,
  day: string,
): ProviderRefresh {
  const snapshot = parseProviderList(provider, text, day);
  const next = new Set([...snapshot.ipv4, ...snapshot.ipv6]);
  const before = new Set(current ? [...current.ipv4, ...current.ipv6] : []);
  const added = [...next].filter((c) => !before.has(c));
  const removed = [...before].filter((c) => !next.has(c));
  const status = current && added.length === 0 && removed.length === 0 ? 'unchanged' : 'updated';
  return { snapshot, status, added, removed };
}

/** The snapshot file's text: two-space JSON and a final newline. */
export function providerSnapshotText(snapshot: ProviderSnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}
