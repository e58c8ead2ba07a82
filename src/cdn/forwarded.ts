import ipaddr from 'ipaddr.js';
import { ipv4ToInt } from './cidr-set.js';

/** The header a CDN appends the address it saw to. */
export const FORWARDED_HEADER = 'x-forwarded-for';

/**
 * The right-most `X-Forwarded-For` address, the only one a CDN in front vouches for (it appends the
 * address it saw; everything to the left was written by the client and may be forged), or null when
 * that entry is missing or not exactly an IP address. Several XFF headers are one list, as WAF reads
 * them. Decides like WAF's forwarded-IP inspection with position LAST: no port, no brackets, no
 * zone, no padding inside the address.
 */
export function rightMostForwarded(headerValues: readonly string[]): string | null {
  const last = headerValues[headerValues.length - 1];
  if (last === undefined) return null;
  const comma = last.lastIndexOf(',');
  const entry = (comma === -1 ? last : last.slice(comma + 1)).trim();
  return validIp(entry);
}

/** The address in a canonical spelling when it is exactly one IPv4 or IPv6 address, else null. */
export function validIp(text: string): string | null {
  if (text.length === 0 || text.length > 45) return null;
  if (ipv4ToInt(text) !== null) return text;
  if (!text.includes(':') || text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
  return text.toLowerCase();
}
