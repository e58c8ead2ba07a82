import type { Verdict } from '../../schemas/event.js';

/** A row of queries/blocked_groups.sql. */
export interface BlockedGroupRow {
  web_acl_arn: string;
  host: string;
  /** The client: the forwarded address where clientIp was a front (via_edge), clientIp otherwise. */
  client_ip: string;
  /** clientIp was a front (published CDN edge, configured proxy, many forwarded clients) and client_ip is the forwarded address it carried. */
  via_edge: boolean;
  /** clientIp is a front only its traffic shows (no published range, not configured): that address. */
  via_proxy: string | null;
  /** The right-most X-Forwarded-For address as logged (null when missing or not an IP). */
  forwarded_ip: string | null;
  method: string;
  path: string;
  query: string;
  rule_action: string;
  terminating_rule_type: string | null;
  rule_group: string | null;
  rule_id: string | null;
  labels: string[];
  condition_type: string | null;
  match_location: string | null;
  matched_data: string | null;
  user_agent: string | null;
  cookie_names: string[];
  wp_session: boolean;
  /** Tracked session cookies (schemas/event.ts); null in events written before the column existed. */
  session_cookies: string[] | null;
  cookie_redacted: boolean;
  auth_scheme: string | null;
  known_headers: string[];
  verdict: Verdict | null;
  score: number;
  signals: string[];
  requests: number;
  first_ts: number;
  last_ts: number;
  max_body_size: number | null;
}

/** A row of queries/ip_profile.sql. */
export interface IpProfileRow {
  client_ip: string;
  requests: number;
  blocked: number;
  /** Requests WAF allowed (counted ones included). */
  allowed_requests: number;
  sites: number;
  blocked_sites: number;
  /** Requests with attack evidence (request-stage score >= 3), blocked or allowed. */
  attack_requests: number;
  attack_sites: number;
  /** Of those, the ones no rule stopped (allowed probes, scanner user agents). */
  allowed_attack_requests: number;
  allowed_attack_sites: number;
  attack_signals: string[] | null;
  /** Sites where the address left an attack signature, even a weak one. */
  signature_sites: number;
  /** Requests with evidence an integration never shows: payloads, probes, scanner tools, injections outside the body, floods. */
  hostile_requests: number;
  admin_work: number;
  session_requests: number;
  /** Requests that sent an Authorization header. */
  auth_requests: number;
  /** Of those, reads (GET, HEAD) that WAF allowed. */
  auth_reads_allowed: number;
  /** Requests signed as a webhook or naming a callback (`wc-api=`, Jetpack's `for=jetpack`). */
  callback_requests: number;
  distinct_paths: number;
  only_root_gets: boolean;
  web_acls: number;
  user_agents: number;
  sample_user_agent: string | null;
  /**
   * The address is itself a front: a CDN whose published ranges hold it (`cloudfront`,
   * `cloudflare`, `fastly`), `configured` (config.trustedProxies), or `forwarding` (its traffic shows
   * many distinct forwarded clients in many user agents).
   */
  edge_kind: string | null;
  /** The web ACLs where this client came through a front. */
  cdn_web_acls: string[] | null;
  /** Distinct forwarded addresses on the client's own requests that no front vouches for. */
  forwarded_clients: number;
  /**
   * Some web ACL of the window logs as `connect`'s filter does (Cookie redacted, no ordinary ALLOW
   * record): allowed history, everyone's, is unknown there. The same on every row.
   */
  filtered_logs: boolean;
  /**
   * Not from the query: requests under a login cookie whose blocked part carries an injection,
   * counted from the blocked groups when they are folded (src/analyze/fleet.ts).
   */
  session_injections?: number;
}
