import type { SampleRequest } from '../../schemas/suggestion.js';
import type { FinalGroup } from '../analyze/fleet.js';
import { parseWebAclArn } from '../ingest/web-acl-arn.js';

/** A few representative requests (largest groups first); values stay raw here and are escaped where shown. */
export function sampleRequests(groups: readonly FinalGroup[], max = 3): SampleRequest[] {
  return [...groups]
    .sort(
      (a, b) =>
        b.requests - a.requests ||
        a.first_ts - b.first_ts ||
        `${a.client_ip} ${a.host} ${a.path}`.localeCompare(`${b.client_ip} ${b.host} ${b.path}`),
    )
    .slice(0, max)
    .map((g) => ({
      time: new Date(g.first_ts).toISOString(),
      webAcl: parseWebAclArn(g.web_acl_arn).name,
      host: g.host,
      clientIp: g.client_ip,
      method: g.method,
      uri: g.query ? `${g.path}?${g.query}` : g.path,
      userAgent: g.user_agent,
      verdict: g.final.verdict,
    }));
}
