import ipaddr from 'ipaddr.js';

/**
 * A set of CIDR ranges asked about one address at a time, on every record of the ingest: IPv4 by a
 * binary search over merged integer ranges (no allocation per lookup), IPv6 by ipaddr.js (the
 * published lists hold a few dozen IPv6 prefixes).
 */
export class CidrSet {
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly v6: ReadonlyArray<[ipaddr.IPv6, number]>;

  constructor(cidrs: Iterable<string>) {
    const v4: Array<[number, number]> = [];
    const v6: Array<[ipaddr.IPv6, number]> = [];
    for (const cidr of cidrs) {
      const [addr, bits] = ipaddr.parseCIDR(cidr);
      if (addr.kind() === 'ipv4') {
        const start = ipv4ToInt((addr as ipaddr.IPv4).toString()) ?? 0;
        const size = 2 ** (32 - bits);
        const base = start - (start % size);
        v4.push([base, base + size - 1]);
      } else {
        v6.push([addr as ipaddr.IPv6, bits]);
      }
    }
    v4.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of v4) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.starts = Uint32Array.from(merged.map((r) => r[0]));
    this.ends = Uint32Array.from(merged.map((r) => r[1]));
    this.v6 = v6;
  }

  has(address: string): boolean {
    if (address.includes(':')) return this.hasV6(address);
    const n = ipv4ToInt(address);
    if (n === null) return false;
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) > n) hi = mid - 1;
      else if ((this.ends[mid] as number) < n) lo = mid + 1;
      else return true;
    }
    return false;
  }

  private hasV6(address: string): boolean {
    if (this.v6.length === 0 || !ipaddr.IPv6.isValid(address)) return false;
    const ip = ipaddr.IPv6.parse(address);
    if (ip.isIPv4MappedAddress()) return this.has(ip.toIPv4Address().toString());
    return this.v6.some(([net, bits]) => ip.match(net, bits));
  }
}

/** A dotted-quad IPv4 address as an unsigned integer, or null when it is not exactly one. */
export function ipv4ToInt(address: string): number | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      // A leading zero (010) reads as octal in some parsers: no valid address is written that way.
      if (digits > 0 && part === 0) return null;
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + part;
}
