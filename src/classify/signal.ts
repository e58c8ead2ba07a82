import type { WafEvent } from '../../schemas/event.js';

/** The fields of an event that signals may read: a stored event row or a grouped query row. */
export type EventView = Pick<
  WafEvent,
  | 'host'
  | 'client_ip'
  | 'method'
  | 'path'
  | 'query'
  | 'rule_action'
  | 'rule_group'
  | 'rule_id'
  | 'terminating_rule_type'
  | 'labels'
  | 'condition_type'
  | 'match_location'
  | 'matched_data'
  | 'user_agent'
  | 'cookie_names'
  | 'wp_session'
  | 'cookie_redacted'
  | 'auth_scheme'
  | 'known_headers'
>;

/**
 * Facts about one client across the whole data set (queries/ip_profile.sql): the forwarded address
 * where a CDN edge stood in front, the connecting address otherwise.
 */
export interface IpFacts {
  requests: number;
  /** Requests WAF allowed: the client's history beyond its blocks. */
  allowedRequests: number;
  sites: number;
  /** Requests with request-stage attack evidence (score >= 3), blocked or allowed. */
  attackRequests: number;
  /** Sites on which this IP had likely-attack requests. */
  attackSites: number;
  /** Allowed WordPress admin work: logged-in wp-admin requests and REST writes (editor-endpoint writes where cookies are redacted). */
  adminWork: number;
  /** Requests that carried a WordPress login cookie. */
  sessionRequests: number;
  /** Of those, the ones whose blocked part carried an injection (an editor's embeds look the same). */
  sessionInjections: number;
  /** Requests with evidence an integration never shows (payloads, probes, scanner tools, injections outside the body, floods). */
  hostileRequests: number;
  /** Requests with an Authorization header, and the reads among them WAF allowed. */
  authRequests: number;
  authReadsAllowed: number;
  /** Requests signed as a webhook or naming a callback (`wc-api=`, `for=jetpack`). */
  callbackRequests: number;
  userAgents: number;
  /** Sites on which this IP left an attack signature (strong signal), however weak the request's score. */
  signatureSites: number;
  distinctPaths: number;
  /** Every request was a GET of `/` or a health path. */
  onlyRootGets: boolean;
}

/** Facts about one rule on one path across the fleet (queries/rule_path_profile.sql). */
export interface RulePathFacts {
  distinctIps: number;
  sites: number;
  /** Share of the distinct IPs with request-stage attack evidence anywhere. */
  attackIpShare: number;
}

export interface FleetFacts {
  ip?: IpFacts;
  rulePath?: RulePathFacts;
}

interface SignalBase {
  /** Stable id, shown in reports and JSON. */
  id: string;
  /** Positive: evidence of attack; negative: evidence of legitimate work blocked by mistake. */
  weight: number;
  /** One line a human reads, in the report and in a suggestion's reasons. */
  reason: string;
}

/** Decided from the request alone: runs in the Lambda and locally. */
export interface RequestSignal extends SignalBase {
  stage: 'request';
  applies(event: EventView): boolean;
}

/** Needs the whole data set: folded in after the queries. */
export interface FleetSignal extends SignalBase {
  stage: 'fleet';
  applies(event: EventView, facts: FleetFacts): boolean;
  /**
   * Signals this one overrules when it fires: their weight no longer counts (a forged login cookie
   * is no evidence of a session; an integration's cookie-less write is how integrations write).
   */
  suppresses?: readonly string[];
}
