import ipaddr from 'ipaddr.js';
import type { MutationResult } from './mutation.js';
import { EVIDENCE_RULE_PREFIX, IP_BLOCK_RULE_PREFIX, ipBlockRuleName } from './names.js';
import { byPriority, insertAt, insertFirst } from './priorities.js';
import type { IpVersion, Rule } from './types.js';

/**
 * IP blocks: addresses go into one waftune IP set per scope, region and IP version, and a rule
 * at the top of each web ACL blocks what is in the set. The set is shared, so adding an address
 * is one IP set update however many web ACLs there are.
 */

/** WAF's limit on addresses in one IP set. */
export const IP_SET_MAX_ADDRESSES = 10_000;

// Ranges no internet client comes from: blocking them only hits the site's own infrastructure.
const NOT_A_CLIENT = new Set([
  'unspecified',
  'multicast',
  'linkLocal',
  'loopback',
  'broadcast',
  'private',
  'carrierGradeNat',
  'uniqueLocal',
]);

export type NormalizedAddress = { cidr: string; version: IpVersion } | { error: string };

/**
 * The CIDR form WAF stores (`192.0.2.7/32`, network address for ranges). Refuses what only
 * looks like an attacker in a log: private, loopback and other ranges no internet client uses, and ranges so
 * wide that blocking them would block a large part of the internet.
 */
export function normalizeAddress(input: string): NormalizedAddress {
  const text = input.trim();
  let cidr: string;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let bits: number;
  try {
    if (text.includes('/')) {
      const [ip, prefix] = ipaddr.parseCIDR(text);
      const v4 = ip.kind() === 'ipv4';
      const network = v4
        ? ipaddr.IPv4.networkAddressFromCIDR(text)
        : ipaddr.IPv6.networkAddressFromCIDR(text);
      address = network;
      bits = prefix;
      cidr = v4
        ? `${network.toString()}/${prefix}`
        : `${(network as ipaddr.IPv6).toRFC5952String()}/${prefix}`;
    } else {
      if (
        !ipaddr.isValid(text) ||
        (text.includes('.') && !text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text))
      ) {
        return { error: `${input} is not an IP address` };
      }
      address = ipaddr.process(text);
      bits = address.kind() === 'ipv4' ? 32 : 128;
      cidr =
        address.kind() === 'ipv4'
          ? `${address.toString()}/32`
          : `${(address as ipaddr.IPv6).toRFC5952String()}/128`;
    }
  } catch {
    return { error: `${input} is not an IP address or CIDR range` };
  }
  const version: IpVersion = address.kind() === 'ipv4' ? 'IPV4' : 'IPV6';
  const range = address.range();
  if (NOT_A_CLIENT.has(range)) return { error: `${input} is in the ${range} range, not a public address` };
  const minBits = version === 'IPV4' ? 16 : 32;
  if (bits < minBits)
    return { error: `${input} is wider than /${minBits}; waftune does not block ranges that wide` };
  return { cidr, version };
}

/** Canonical key of an address already in an IP set (WAF may print IPv6 in another form). */
export function addressKey(cidr: string): string {
  const n = normalizeAddressLoose(cidr);
  return n ?? cidr.trim().toLowerCase();
}

function normalizeAddressLoose(cidr: string): string | undefined {
  try {
    const [ip, prefix] = ipaddr.parseCIDR(cidr.trim());
    return ip.kind() === 'ipv6'
      ? `${(ip as ipaddr.IPv6).toRFC5952String()}/${prefix}`
      : `${ip.toString()}/${prefix}`;
  } catch {
    return undefined;
  }
}

/** The addresses of `wanted` not yet in `current` (compared in canonical form). */
export function missingAddresses(current: readonly string[], wanted: readonly string[]): string[] {
  const have = new Set(current.map(addressKey));
  const out: string[] = [];
  for (const w of wanted) {
    const key = addressKey(w);
    if (have.has(key)) continue;
    have.add(key);
    out.push(w);
  }
  return out;
}

export function withoutAddresses(current: readonly string[], remove: readonly string[]): string[] {
  const drop = new Set(remove.map(addressKey));
  return current.filter((a) => !drop.has(addressKey(a)));
}

/** Where a new waftune block rule goes: after the evidence and IP block rules heading the ACL. */
export function topIndex(ordered: readonly Rule[]): number {
  let index = 0;
  while (ordered[index]?.Name.startsWith(EVIDENCE_RULE_PREFIX)) index++;
  while (ordered[index]?.Name.startsWith(IP_BLOCK_RULE_PREFIX)) index++;
  return index;
}

/** Ensures the rule that blocks the waftune IP set sits at the top of the web ACL. */
export function ensureIpBlockRule(
  rules: readonly Rule[],
  version: IpVersion,
  ipSetArn: string,
): MutationResult {
  const name = ipBlockRuleName(version);
  // By client address: a reference with IPSetForwardedIPConfig matches another address.
  const byClient = (r: Rule) =>
    r.Statement.IPSetReferenceStatement?.ARN === ipSetArn &&
    !r.Statement.IPSetReferenceStatement.IPSetForwardedIPConfig &&
    Boolean(r.Action?.Block);
  const existing = rules.find((r) => r.Name === name);
  if (existing) {
    if (byClient(existing)) return { status: 'unchanged', reason: `${name} already blocks the set` };
    const fixed: Rule = {
      ...existing,
      Statement: { IPSetReferenceStatement: { ARN: ipSetArn } },
      Action: { Block: {} },
    };
    return { status: 'changed', rules: rules.map((r) => (r === existing ? fixed : r)) };
  }
  const byHand = rules.find(byClient);
  if (byHand) return { status: 'unchanged', reason: `rule ${byHand.Name} already blocks the set` };
  // After waftune's evidence rules (they only label) and the IP rules already at the top, so the
  // IPv4 rule stays first among them.
  const ordered = byPriority(rules);
  const index = topIndex(ordered);
  const rule = {
    Name: name,
    Statement: { IPSetReferenceStatement: { ARN: ipSetArn } },
    Action: { Block: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
  };
  return {
    status: 'changed',
    rules: index === 0 ? insertFirst(ordered, rule) : insertAt(ordered, index, rule),
  };
}
