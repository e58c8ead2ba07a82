-- Everything known about each client that was blocked, counted or challenged at least once, or
-- that sent requests with attack evidence (score >= 3, allowed or not), and every IPv6 client: the
-- facts that fleet signals and IP-block suggestions rest on.
--
-- The client is the forwarded address (the right-most X-Forwarded-For) where clientIp is a CDN
-- edge, so every fact here is the client's, not the edge's. An edge's own requests (no usable
-- forwarded address) stay the edge's, and its row says what it is (edge_kind).
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
WITH w AS (
  SELECT client_ip, forwarded_ip, client_cdn, host, method, path, query, action, rule_action, rule_id,
    verdict, score, signals, wp_session, cookie_redacted, web_acl_arn, user_agent, auth_scheme, known_headers
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
),
-- CDN edges shown by the traffic (edges of a published CDN range are marked at ingest: client_cdn):
-- one address carrying many distinct forwarded clients with ordinary requests, in many user agents.
-- However busy an attacker behind it is; an address forging X-Forwarded-For shows few clients, one
-- user agent. The same definition is in blocked_groups.sql; a test holds the two equal.
traffic_edges AS (
  SELECT client_ip AS edge_ip
  FROM w
  WHERE forwarded_ip IS NOT NULL AND forwarded_ip <> client_ip
  GROUP BY client_ip
  HAVING count(DISTINCT CASE WHEN score < 3 THEN forwarded_ip END) >= 10
    AND count(DISTINCT user_agent) >= 5
),
edged AS (
  SELECT w.*, (w.client_cdn IS NOT NULL OR te.edge_ip IS NOT NULL) AS edge_address
  FROM w
  LEFT JOIN traffic_edges te ON te.edge_ip = w.client_ip
),
c AS (
  SELECT
    *,
    CASE WHEN edge_address AND forwarded_ip IS NOT NULL THEN forwarded_ip ELSE client_ip END AS client,
    edge_address AND forwarded_ip IS NOT NULL AS via_edge
  FROM edged
),
-- Every IPv6 client too: a /64 is only blocked when no other address in it is benign.
flagged AS (
  SELECT DISTINCT client
  FROM c
  WHERE rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE') OR score >= 3 OR strpos(client, ':') > 0
)
SELECT
  c.client AS client_ip,
  count(*) AS requests,
  count_if(c.rule_action = 'BLOCK') AS blocked,
  count_if(c.action = 'ALLOW') AS allowed_requests,
  count(DISTINCT c.host) AS sites,
  count(DISTINCT CASE WHEN c.rule_action = 'BLOCK' THEN c.host END) AS blocked_sites,
  count_if(c.score >= 3) AS attack_requests,
  count(DISTINCT CASE WHEN c.score >= 3 THEN c.host END) AS attack_sites,
  count_if(c.score >= 3 AND c.verdict IS NULL) AS allowed_attack_requests,
  count(DISTINCT CASE WHEN c.score >= 3 AND c.verdict IS NULL THEN c.host END) AS allowed_attack_sites,
  array_sort(array_distinct(flatten(array_agg(c.signals) FILTER (WHERE c.score >= 3)))) AS attack_signals,
  -- Sites where the address left an attack signature (src/suggest/strong-signals.ts), even one
  -- too weak alone to call the request an attack: a scanner spraying WordPress exploit paths.
  count(DISTINCT CASE WHEN arrays_overlap(c.signals, ARRAY[
    'attack-payload', 'probe-path', 'scanner-user-agent', 'injection-outside-body', 'admin-write-without-session'
  ]) THEN c.host END) AS signature_sites,
  -- Evidence an integration never shows: payloads, probes, scanner tools, injections outside the
  -- body, floods. Not the cookie-less write: that is how application passwords and webhooks write;
  -- nor the WordPress rule set's block of xmlrpc.php for its path alone: that is how every XML-RPC
  -- client (Jetpack, the apps, publishing pipelines) is answered.
  count_if(
    arrays_overlap(c.signals, ARRAY['attack-payload', 'probe-path', 'scanner-user-agent', 'rate-limited'])
    OR (arrays_overlap(c.signals, ARRAY['injection-outside-body'])
      AND NOT (c.path = '/xmlrpc.php' AND c.rule_id = 'WordPressExploitablePaths_URIPATH'))
  ) AS hostile_requests,
  -- Allowed WordPress admin work: a logged-in request to wp-admin or a write to the REST API, or
  -- (where the Cookie header is redacted) a write to an editing endpoint; never one that carries
  -- attack signatures. A login cookie on a page view proves nothing: anyone can send one.
  count_if(
    c.action = 'ALLOW' AND c.rule_action IS NULL
    AND NOT arrays_overlap(c.signals, ARRAY['attack-payload', 'probe-path', 'scanner-user-agent', 'injection-outside-body'])
    AND (
      (c.wp_session AND (
        regexp_like(c.path, '^/wp-admin/')
        OR (c.method IN ('POST', 'PUT', 'PATCH', 'DELETE')
          AND (regexp_like(c.path, '^/wp-json/') OR regexp_like(c.query, '(^|&)rest_route=')))
      ))
      OR (c.cookie_redacted AND c.method IN ('POST', 'PUT', 'PATCH')
        AND regexp_like(c.path, '^/wp-admin/(post|async-upload|admin-post|customize|widgets|nav-menus|options)\.php$|^/wp-json/wp/v2/(posts|pages|media|blocks)'))
    )
  ) AS admin_work,
  count_if(c.wp_session) AS session_requests,
  -- What an integration (application password, webhook, app) shows: credentials or a signature
  -- on its calls, and reads with them that WAF let through.
  count_if(c.auth_scheme IS NOT NULL) AS auth_requests,
  count_if(c.auth_scheme IS NOT NULL AND c.method IN ('GET', 'HEAD') AND c.action = 'ALLOW') AS auth_reads_allowed,
  count_if(
    arrays_overlap(c.known_headers, ARRAY[
      'stripe-signature', 'paypal-transmission-sig', 'x-wc-webhook-signature', 'x-hub-signature-256', 'x-gitlab-token'
    ])
    OR regexp_like(c.query, '(^|&)(wc-api=[^&]|for=jetpack(&|$))')
  ) AS callback_requests,
  count(DISTINCT c.path) AS distinct_paths,
  bool_and(c.method IN ('GET', 'HEAD') AND c.path IN ('/', '/healthz', '/health', '/ping', '/status', '/wp-cron.php')) AS only_root_gets,
  count(DISTINCT c.web_acl_arn) AS web_acls,
  approx_distinct(c.user_agent) AS user_agents,
  coalesce(max(c.user_agent) FILTER (WHERE c.score >= 3), max(c.user_agent)) AS sample_user_agent,
  -- The address is itself a CDN edge (its own requests carried no usable forwarded address).
  max(CASE WHEN c.edge_address AND NOT c.via_edge THEN coalesce(c.client_cdn, 'forwarding') END) AS edge_kind,
  -- The web ACLs that saw this client through a CDN edge: an IP block there must match X-Forwarded-For.
  array_sort(array_distinct(array_agg(c.web_acl_arn) FILTER (WHERE c.via_edge))) AS cdn_web_acls
FROM c
JOIN flagged f ON f.client = c.client
GROUP BY c.client
