import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * AWS's published address ranges (`ip-ranges.json`) and the snapshot waftune ships of the part it
 * needs: the CloudFront edge ranges, whose addresses an ALB's web ACL sees as `clientIp` when
 * CloudFront sits in front of it. The snapshot keeps the published fields unchanged, only fewer
 * entries, so it can be checked against the published file by eye.
 */

export const PUBLISHED_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json';

/** CloudFront's viewer-facing edges and the addresses it connects to origins from. */
export const CDN_SERVICES = ['CLOUDFRONT', 'CLOUDFRONT_ORIGIN_FACING'] as const;

const ipv4Prefix = z.object({
  ip_prefix: z.string().refine(isCidr('ipv4'), 'an IPv4 CIDR'),
  region: z.string(),
  service: z.string(),
  network_border_group: z.string().optional(),
});
const ipv6Prefix = z.object({
  ipv6_prefix: z.string().refine(isCidr('ipv6'), 'an IPv6 CIDR'),
  region: z.string(),
  service: z.string(),
  network_border_group: z.string().optional(),
});

/** The published file, as far as waftune reads it (unknown fields pass; AWS adds some over time). */
export const ipRangesSchema = z.object({
  syncToken: z.string().regex(/^\d{1,20}$/, 'digits'),
  createDate: z.string().regex(/^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/, 'YYYY-MM-DD-hh-mm-ss'),
  prefixes: z.array(ipv4Prefix),
  ipv6_prefixes: z.array(ipv6Prefix),
});
export type IpRanges = z.infer<typeof ipRangesSchema>;

export const snapshotSchema = ipRangesSchema.extend({
  about: z.string(),
  source: z.string(),
  services: z.array(z.string()).min(1),
});
export type RangesSnapshot = z.infer<typeof snapshotSchema>;

function isCidr(kind: 'ipv4' | 'ipv6') {
  return (s: string) => {
    try {
      const [addr] = ipaddr.parseCIDR(s);
      return addr.kind() === kind;
    } catch {
      return false;
    }
  };
}

/**
 * The snapshot of a published file: its CloudFront entries in a fixed order (so a refresh that
 * changes nothing changes no byte), with the file's `createDate` and `syncToken`.
 */
export function cloudFrontSnapshot(published: IpRanges): RangesSnapshot {
  const wanted = new Set<string>(CDN_SERVICES);
  const v4 = published.prefixes.filter((p) => wanted.has(p.service));
  const v6 = published.ipv6_prefixes.filter((p) => wanted.has(p.service));
  if (v4.length === 0 && v6.length === 0)
    throw new Error(`the file lists no ${CDN_SERVICES.join(' or ')} range`);
  return {
    about: `AWS ip-ranges.json, only the ${CDN_SERVICES.join(' and ')} entries, fields as published. Refresh with \`waftune cdn-ranges update\`.`,
    source: PUBLISHED_URL,
    syncToken: published.syncToken,
    createDate: published.createDate,
    services: [...CDN_SERVICES].sort(),
    prefixes: [...v4].sort(
      (a, b) => compareV4(a.ip_prefix, b.ip_prefix) || compareText(a.service, b.service),
    ),
    ipv6_prefixes: [...v6].sort(
      (a, b) => compareText(a.ipv6_prefix, b.ipv6_prefix) || compareText(a.service, b.service),
    ),
  };
}

/** The snapshot file's text: two-space JSON and a final newline. */
export function snapshotText(snapshot: RangesSnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareV4(a: string, b: string): number {
  const [pa, la] = a.split('/');
  const [pb, lb] = b.split('/');
  const oa = (pa ?? '').split('.').map(Number);
  const ob = (pb ?? '').split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    const d = (oa[i] ?? 0) - (ob[i] ?? 0);
    if (d !== 0) return d;
  }
  return Number(la) - Number(lb);
}

/** `createDate` `2026-08-22-15-17-05` as an ISO time. */
export function createDateIso(createDate: string): string {
  const [y, mo, d, h, mi, s] = createDate.split('-');
  return `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
}
