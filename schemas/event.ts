import { z } from 'zod';

/**
 * The flat event: one per WAF log record, the row of the `events` table in DuckDB and Athena.
 *
 * Field names are the column names (snake_case) so that one object is one row on both engines
 * without a mapping layer. `EVENT_COLUMNS` is the single source of the table layout: the DuckDB
 * engine creates its table from it and a test holds the Glue table in serverless.yml to it.
 */

export const VERDICTS = ['likely-false-positive', 'likely-attack', 'uncertain'] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

export const eventSchema = z.object({
  /** Request time, epoch milliseconds. */
  ts: z.number().int(),
  /** UTC day `YYYY-MM-DD`: the partition column on Athena. */
  dt: z.string(),
  web_acl_arn: z.string(),
  web_acl_name: z.string(),
  web_acl_region: z.string(),
  /** `REGIONAL` or `CLOUDFRONT`, from the ARN (`regional/` or `global/`). */
  web_acl_scope: z.string(),
  account_id: z.string(),
  /** httpSourceName: ALB, CF, APIGW, ... */
  source: z.string().nullable(),
  host: z.string(),
  /** `httpRequest.clientIp`: the address that connected to WAF (a CDN edge when a CDN sits in front). */
  client_ip: z.string(),
  /**
   * The right-most `X-Forwarded-For` address when it is exactly an IP address: the client as the CDN
   * in front saw it (the entries to its left are the client's own and may be forged). Null otherwise.
   */
  forwarded_ip: z.string().nullable(),
  /** The CDN whose published ranges hold `client_ip` (`cloudfront`, src/cdn/), or null. */
  client_cdn: z.string().nullable(),
  country: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  /** Raw query string without `?`, as WAF logged it (`args`). */
  query: z.string(),
  request_id: z.string().nullable(),
  /** WAF's action: ALLOW, BLOCK, CAPTCHA, CHALLENGE. */
  action: z.string(),
  /**
   * What the matched rule did: the terminating action, or COUNT when the request was only counted
   * by a rule, or null when no rule matched. Classification runs when this is not null.
   */
  rule_action: z.string().nullable(),
  /**
   * The web ACL's rule that holds the match: `terminatingRuleId` when a rule terminated (e.g.
   * AWS-AWSManagedRulesCommonRuleSet); for a rule group run in Count mode, the group's web ACL rule
   * as the top-level `nonTerminatingMatchingRules` names it; otherwise null.
   */
  acl_rule: z.string().nullable(),
  terminating_rule_type: z.string().nullable(),
  /** Rule group id (`AWS#AWSManagedRulesCommonRuleSet`, or a rule group ARN), null for a web ACL's own rule. */
  rule_group: z.string().nullable(),
  /** The rule inside the group (or the web ACL's own rule) that matched, e.g. SizeRestrictions_BODY. */
  rule_id: z.string().nullable(),
  /**
   * Every rule that only counted, in evaluation order: `<rule group id>|<rule id>` for a rule in a
   * group (see COUNTED_RULE_SEPARATOR), or `<rule id>` for the web ACL's own rule. A group run in
   * Count mode lists the rule inside it that matched, never the web ACL rule named after the group.
   */
  counted_rules: z.array(z.string()),
  labels: z.array(z.string()),
  condition_type: z.string().nullable(),
  match_location: z.string().nullable(),
  /** Matched data tokens of SQLi/XSS matches, joined by spaces, bounded in length. */
  matched_data: z.string().nullable(),
  body_size: z.number().int().nullable(),
  body_inspected: z.number().int().nullable(),
  user_agent: z.string().nullable(),
  referer: z.string().nullable(),
  /** Cookie names only: values are never stored. */
  cookie_names: z.array(z.string()),
  /** A `wordpress_logged_in_*` cookie was sent (the Cookie header contains `wordpress_logged_in_`). */
  wp_session: z.boolean(),
  /**
   * The session cookies waftune tracks that the request carried (SESSION_COOKIES in
   * schemas/waftune-labels.ts: `wordpress_logged_in_`, `wp_woocommerce_session_`, `comment_author_`),
   * from the Cookie header, or where the log redacts it, from waftune's evidence labels. Names only.
   */
  session_cookies: z.array(z.string()),
  /** The Cookie header was redacted by the logging configuration, so `wp_session` says nothing. */
  cookie_redacted: z.boolean(),
  /**
   * The `Authorization` header's scheme in lower case (`basic`, `bearer`, ...; `other` when it names
   * none), or null when none was sent. Never its value.
   */
  auth_scheme: z.string().nullable(),
  /** Which of a fixed list of identifying headers (KNOWN_HEADERS: webhook signatures, the REST nonce) were sent: names only. */
  known_headers: z.array(z.string()),
  ja3: z.string().nullable(),
  ja4: z.string().nullable(),
  asn: z.string().nullable(),
  response_code: z.number().int().nullable(),
  verdict: verdictSchema.nullable(),
  /** Attack-positive, false-positive-negative; 0 for unclassified events. */
  score: z.number(),
  /** Ids of the signals that fired. */
  signals: z.array(z.string()),
  /** One human sentence per signal that fired. */
  reasons: z.array(z.string()),
});

export type WafEvent = z.infer<typeof eventSchema>;

/**
 * Joins group and rule in `counted_rules`. Rule names match `^[\w-]+$`, and `|` occurs in none of
 * the group ids WAF writes (`AWS#AWSManagedRulesSQLiRuleSet`, vendor ids with spaces and dots, rule
 * group ARNs with `:` and `/`), so the text after the last `|` is always the rule. `:` was ambiguous:
 * ARNs are full of it.
 */
export const COUNTED_RULE_SEPARATOR = '|';

export function countedRuleEntry(group: string | null, ruleId: string): string {
  return group === null ? ruleId : `${group}${COUNTED_RULE_SEPARATOR}${ruleId}`;
}

export function parseCountedRule(entry: string): { group: string | null; ruleId: string } {
  const i = entry.lastIndexOf(COUNTED_RULE_SEPARATOR);
  return i === -1 ? { group: null, ruleId: entry } : { group: entry.slice(0, i), ruleId: entry.slice(i + 1) };
}

/**
 * Headers whose presence says who is calling (never stored with their values): payment and deploy
 * webhooks sign their calls, and WordPress's own JavaScript sends the REST nonce of a logged-in
 * browser.
 */
export const WEBHOOK_SIGNATURE_HEADERS = [
  'stripe-signature',
  'paypal-transmission-sig',
  'x-wc-webhook-signature',
  'x-hub-signature-256',
  'x-gitlab-token',
] as const;
export const KNOWN_HEADERS = [...WEBHOOK_SIGNATURE_HEADERS, 'x-wp-nonce'] as const;

export type ColumnType = 'string' | 'bigint' | 'double' | 'boolean' | 'array<string>';

/** Table layout shared by the DuckDB table and the Glue table, in order. */
export const EVENT_COLUMNS: ReadonlyArray<{ name: keyof WafEvent; type: ColumnType }> = [
  { name: 'ts', type: 'bigint' },
  { name: 'dt', type: 'string' },
  { name: 'web_acl_arn', type: 'string' },
  { name: 'web_acl_name', type: 'string' },
  { name: 'web_acl_region', type: 'string' },
  { name: 'web_acl_scope', type: 'string' },
  { name: 'account_id', type: 'string' },
  { name: 'source', type: 'string' },
  { name: 'host', type: 'string' },
  { name: 'client_ip', type: 'string' },
  { name: 'forwarded_ip', type: 'string' },
  { name: 'client_cdn', type: 'string' },
  { name: 'country', type: 'string' },
  { name: 'method', type: 'string' },
  { name: 'path', type: 'string' },
  { name: 'query', type: 'string' },
  { name: 'request_id', type: 'string' },
  { name: 'action', type: 'string' },
  { name: 'rule_action', type: 'string' },
  { name: 'acl_rule', type: 'string' },
  { name: 'terminating_rule_type', type: 'string' },
  { name: 'rule_group', type: 'string' },
  { name: 'rule_id', type: 'string' },
  { name: 'counted_rules', type: 'array<string>' },
  { name: 'labels', type: 'array<string>' },
  { name: 'condition_type', type: 'string' },
  { name: 'match_location', type: 'string' },
  { name: 'matched_data', type: 'string' },
  { name: 'body_size', type: 'bigint' },
  { name: 'body_inspected', type: 'bigint' },
  { name: 'user_agent', type: 'string' },
  { name: 'referer', type: 'string' },
  { name: 'cookie_names', type: 'array<string>' },
  { name: 'wp_session', type: 'boolean' },
  { name: 'session_cookies', type: 'array<string>' },
  { name: 'cookie_redacted', type: 'boolean' },
  { name: 'auth_scheme', type: 'string' },
  { name: 'known_headers', type: 'array<string>' },
  { name: 'ja3', type: 'string' },
  { name: 'ja4', type: 'string' },
  { name: 'asn', type: 'string' },
  { name: 'response_code', type: 'bigint' },
  { name: 'verdict', type: 'string' },
  { name: 'score', type: 'double' },
  { name: 'signals', type: 'array<string>' },
  { name: 'reasons', type: 'array<string>' },
];

/**
 * The columns `queries/` read from an event no rule acted on (`rule_action` null: most of a
 * fleet's traffic). Such events only feed fleet facts (ip_profile, totals, the window, forwarders,
 * the digest's counts); every query that reads what a rule did filters on `rule_action`. The local
 * reader loads only these columns of them, the rest NULL: on the benchmark that is half of each
 * spilled line, 12% of analyze's time. A test runs every query over both loads and holds the
 * results equal, so a query that starts reading another column of them fails it.
 */
export const FLEET_FACT_COLUMNS = [
  'ts',
  'dt',
  'web_acl_arn',
  'host',
  'client_ip',
  'forwarded_ip',
  'client_cdn',
  'method',
  'path',
  'query',
  'action',
  'rule_action',
  'rule_id',
  'user_agent',
  'wp_session',
  'session_cookies',
  'cookie_redacted',
  'auth_scheme',
  'known_headers',
  'verdict',
  'score',
  'signals',
] as const satisfies ReadonlyArray<keyof WafEvent>;

export type FleetFactEvent = Pick<WafEvent, (typeof FLEET_FACT_COLUMNS)[number]>;
