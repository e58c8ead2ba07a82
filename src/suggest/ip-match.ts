import type { IpBlock } from '../../schemas/suggestion.js';
import { CidrSet } from '../cdn/cidr-set.js';

/** What decides whether an IP block stops a request: the connecting address, the forwarded one, the web ACL. */
export interface IpMatchRequest {
  /** `httpRequest.clientIp`; null where only the forwarded client is known (a CDN edge, never blocked). */
  clientIp: string | null;
  /** The right-most X-Forwarded-For address when it is exactly an IP address. */
  forwardedIp: string | null;
  webAcl: string;
}

export interface IpBlockMatcher {
  stops(r: IpMatchRequest): boolean;
}

/**
 * The IP blocks as WAF will apply them (schemas/suggestion.ts): a request is stopped when its
 * clientIp is in a block's addresses, or, on a web ACL listed in the block's forwardedIpConfig, when
 * the right-most X-Forwarded-For address is (position LAST, the only one waftune suggests; a missing
 * or malformed header does not match).
 */
export function ipBlockMatcher(blocks: readonly IpBlock[]): IpBlockMatcher {
  const direct = new CidrSet(blocks.flatMap((b) => b.addresses));
  const forwarded = new Map<string, string[]>();
  for (const b of blocks) {
    if (!b.forwardedIpConfig) continue;
    for (const acl of b.forwardedIpConfig.webAcls) {
      const list = forwarded.get(acl) ?? [];
      list.push(...b.addresses);
      forwarded.set(acl, list);
    }
  }
  const byAcl = new Map([...forwarded].map(([acl, cidrs]) => [acl, new CidrSet(cidrs)]));
  return {
    stops(r) {
      if (r.clientIp !== null && direct.has(r.clientIp)) return true;
      if (r.forwardedIp === null) return false;
      return byAcl.get(r.webAcl)?.has(r.forwardedIp) ?? false;
    },
  };
}
