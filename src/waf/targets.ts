import { errorMessage, locationFor, type WafPort } from './port.js';
import type { WafLocation, WafScope, WebAclRef } from './types.js';

/**
 * Which web ACLs a run touches. Suggestions name web ACLs by ARN (as WAF logs do) or by name;
 * IP blocks name none and go to every web ACL of the account in the regions looked at.
 */

const WEB_ACL_ARN =
  /^arn:aws[\w-]*:wafv2:([a-z0-9-]+):(\d*):(regional|global)\/webacl\/([\w-]+)\/([0-9a-f-]+)$/;

export function parseWebAclArn(arn: string): WebAclRef | undefined {
  const m = WEB_ACL_ARN.exec(arn);
  if (!m) return undefined;
  const scope: WafScope = m[3] === 'global' ? 'CLOUDFRONT' : 'REGIONAL';
  return { arn, region: m[1] ?? '', scope, name: m[4] ?? '', id: m[5] ?? '' };
}

export interface Discovery {
  acls: WebAclRef[];
  /** Locations that could not be listed, with why. */
  problems: string[];
}

/** REGIONAL web ACLs of `region` and CLOUDFRONT ones (listed in us-east-1). */
export function defaultLocations(
  region: string,
  scopes: readonly WafScope[] = ['REGIONAL', 'CLOUDFRONT'],
): WafLocation[] {
  return scopes.map((scope) => locationFor(scope, region));
}

export async function discoverWebAcls(port: WafPort, locations: readonly WafLocation[]): Promise<Discovery> {
  const acls: WebAclRef[] = [];
  const problems: string[] = [];
  for (const location of locations) {
    try {
      acls.push(...(await port.listWebAcls(location)));
    } catch (error) {
      problems.push(
        `could not list ${location.scope} web ACLs in ${location.region}: ${errorMessage(error)}`,
      );
    }
  }
  return { acls, problems };
}

/** A web ACL named by a suggestion or by `--acl`: an ARN, or a name (unique among those found). */
export function resolveWebAcl(
  nameOrArn: string,
  known: readonly WebAclRef[],
): { ref?: WebAclRef; problem?: string } {
  const byArn = parseWebAclArn(nameOrArn);
  if (byArn) return { ref: known.find((k) => k.arn === nameOrArn) ?? byArn };
  const matches = known.filter((k) => k.name === nameOrArn);
  if (matches.length === 1) return { ref: matches[0] };
  if (matches.length > 1) {
    return {
      problem: `web ACL name ${nameOrArn} exists in ${matches.map((m) => `${m.scope} ${m.region}`).join(' and ')}; give its ARN`,
    };
  }
  return { problem: `no web ACL named ${nameOrArn}` };
}

export function matchesAcl(ref: WebAclRef, filter: readonly string[]): boolean {
  return filter.includes(ref.name) || filter.includes(ref.arn);
}
