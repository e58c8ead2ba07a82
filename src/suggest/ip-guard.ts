import ipaddr from 'ipaddr.js';

/**
 * Addresses waftune never suggests blocking: anything not public unicast (private, loopback,
 * link-local, carrier-grade NAT, reserved, documentation ranges used by load balancers and
 * health checks), and the configured allowlist.
 */
export interface IpGuard {
  /** Why this address must not be blocked, or null. */
  whyNot(address: string): string | null;
}

/**
 * Documentation ranges (RFC 5737, RFC 3849) are "reserved" but belong to no infrastructure: no
 * load balancer, CDN or health checker sends from them, and examples and test fleets use them for
 * public clients, so they are judged like public addresses.
 */
const DOCUMENTATION = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'].map((c) =>
  ipaddr.parseCIDR(c),
);

const isDocumentation = (ip: ipaddr.IPv4 | ipaddr.IPv6) =>
  DOCUMENTATION.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));

export function createIpGuard(allowlist: readonly string[]): IpGuard {
  const allowed = allowlist.map((entry) => {
    const [addr, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), undefined];
    return { entry, addr, bits: bits ?? (addr.kind() === 'ipv4' ? 32 : 128) };
  });
  return {
    whyNot(address) {
      if (!ipaddr.isValid(address)) return 'not a valid IP address';
      let ip = ipaddr.parse(address);
      if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
        ip = (ip as ipaddr.IPv6).toIPv4Address();
      const range = ip.range();
      if (range !== 'unicast' && !isDocumentation(ip))
        return `a ${range} address (private, reserved or infrastructure)`;
      for (const a of allowed) {
        if (a.addr.kind() === ip.kind() && ip.match(a.addr, a.bits)) return `on the allowlist (${a.entry})`;
      }
      return null;
    },
  };
}

/** The address as a CIDR for an IP set: /32 or /128. */
export function hostCidr(address: string): string {
  const ip = ipaddr.parse(address);
  return ip.kind() === 'ipv4' ? `${ip.toString()}/32` : `${ip.toNormalizedString()}/128`;
}

/** The /64 an IPv6 address belongs to (`2001:db8:1:2::`), or null for IPv4 and IPv4-mapped addresses. */
export function ipv6Slash64(address: string): string | null {
  if (!address.includes(':') || !ipaddr.IPv6.isValid(address)) return null;
  const ip = ipaddr.IPv6.parse(address);
  if (ip.isIPv4MappedAddress()) return null;
  const parts = ip.parts.slice(0, 4);
  return new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString();
}
