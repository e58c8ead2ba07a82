import ipaddr from 'ipaddr.js';

/**
 * The configured allowlist, enforced where blocks are written too: the suggester never proposes
 * an allowlisted address, but a suggestion file is data that can come from anywhere (an older run,
 * another team, a hand edit), so plan and apply refuse an IP block that overlaps an allowlisted
 * address or range, either way round (the block inside the range, or the range inside the block).
 */

interface Range {
  entry: string;
  address: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
}

function parseRange(text: string): Range | undefined {
  try {
    const [address, bits] = text.includes('/')
      ? ipaddr.parseCIDR(text)
      : (() => {
          const a = ipaddr.parse(text);
          return [a, a.kind() === 'ipv4' ? 32 : 128] as const;
        })();
    const plain =
      address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
        ? { address: (address as ipaddr.IPv6).toIPv4Address(), bits: Math.max(0, bits - 96) }
        : { address, bits };
    return { entry: text, ...plain };
  } catch {
    return undefined;
  }
}

function contains(outer: Range, inner: Range): boolean {
  return (
    outer.address.kind() === inner.address.kind() &&
    outer.bits <= inner.bits &&
    inner.address.match(outer.address, outer.bits)
  );
}

export interface Allowlist {
  /** The allowlist entry a block of `cidr` would hit, or undefined. */
  conflict(cidr: string): string | undefined;
}

export function createAllowlist(entries: readonly string[]): Allowlist {
  const ranges = entries.map(parseRange).filter((r): r is Range => r !== undefined);
  return {
    conflict(cidr) {
      const block = parseRange(cidr);
      if (!block) return undefined;
      return ranges.find((r) => contains(r, block) || contains(block, r))?.entry;
    },
  };
}

export function allowlistRefusal(cidr: string, entry: string): string {
  return `refused: ${cidr} is not blocked because it covers ${entry}, which the configuration's allowlist protects`;
}
