import type { Verdict } from '../../schemas/event.js';

/** A row of queries/blocked_groups.sql. */
export interface BlockedGroupRow {
  web_acl_arn: string;
  host: string;
  client_ip: string;
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
  cookie_redacted: boolean;
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
  admin_work: number;
  session_requests: number;
  distinct_paths: number;
  only_root_gets: boolean;
  web_acls: number;
  user_agents: number;
  sample_user_agent: string | null;
}
