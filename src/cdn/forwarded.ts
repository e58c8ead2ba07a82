import ipaddr from 'ipaddr.js';
import { pattern, toRegExp } from '../classify/pattern.js';
import { ipv4ToInt } from './cidr-set.js';

/** The header a CDN appends the address it saw to. */
export const FORWARDED_HEADER = 'x-forwarded-for';

/**
 * The right-most `X-Forwarded-For` address, the only one a CDN in front vouches for (it appends the
 * address it saw; everything to the left was written by the client and may be forged), or null when
 * that entry is missing or not exactly an IP address. Several XFF headers are one list, as WAF reads
 * them, so the caller passes the last header's value. Decides like WAF's forwarded-IP inspection
 * with position LAST: no port, no brackets, no zone, no padding inside the address.
 */
export function rightMostOf(last: string): string | null {
  const comma = last.lastIndexOf(',');
  const entry = (comma === -1 ? last : last.slice(comma + 1)).trim();
  return validIp(entry);
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
/** A dotted quad as ipv4ToInt takes it (no leading zeros): the SQL normalization's test. */
export const IPV4_TEXT = pattern(`^${OCTET}(\\.${OCTET}){3}$`);
const H = '[0-9a-fA-F]{1,4}';
const V4 = `${OCTET}(\\.${OCTET}){3}`;
/**
 * An IPv6 address in RFC 4291's text forms (at most four hex digits a group, `::` once, an IPv4
 * tail), no zone: what WAF's forwarded-IP inspection reads. ipaddr.js alone also takes longer
 * zero-padded groups and octal or hex IPv4 tails; both must agree. One definition for TypeScript
 * and SQL (src/engines/normalize-sql.ts).
 */
export const IPV6_TEXT = pattern(
  [
    `(${H}:){7}${H}`,
    `(${H}:){1,7}:`,
    `(${H}:){1,6}:${H}`,
    `(${H}:){1,5}(:${H}){1,2}`,
    `(${H}:){1,4}(:${H}){1,3}`,
    `(${H}:){1,3}(:${H}){1,4}`,
    `(${H}:){1,2}(:${H}){1,5}`,
    `${H}:(:${H}){1,6}`,
    `:((:${H}){1,7}|:)`,
    `(${H}:){6}${V4}`,
    `::(${H}:){0,5}${V4}`,
    ...[1, 2, 3, 4, 5].map((k) => `(${H}:){${k}}:${k < 5 ? `(${H}:){0,${5 - k}}` : ''}${V4}`),
  ]
    .map((a) => `^(${a})$`)
    .join('|'),
);
const IPV6_RE = toRegExp(IPV6_TEXT);

/** The address in a canonical spelling when it is exactly one IPv4 or IPv6 address, else null. */
export function validIp(text: string): string | null {
  if (text.length === 0 || text.length > 45) return null;
  if (ipv4ToInt(text) !== null) return text;
  if (!IPV6_RE.test(text) || !ipaddr.IPv6.isValid(text)) return null;
  return text.toLowerCase();
}
