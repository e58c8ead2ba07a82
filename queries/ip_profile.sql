-- Everything known about each client that was blocked, counted or challenged at least once, or
-- that sent requests with attack evidence (score >= 3, allowed or not), and every IPv6 client: the
-- facts that fleet signals and IP-block suggestions rest on.
--
-- The client is the forwarded address (the right-most X-Forwarded-For) where clientIp is a front
-- (a published CDN edge, a configured proxy, or an address carrying many forwarded clients), so
-- every fact here is the client's, not the edge's. An edge's own requests (no usable forwarded
-- address) stay the edge's, and its row says what it is (edge_kind).
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, trusted_1:string, trusted_2:string, trusted_3:string, trusted_4:string
WITH w AS (
  SELECT client_ip, forwarded_ip, client_cdn, host, method, path, query, action, rule_action, rule_id,
    verdict, score, signals, wp_session, session_cookies, cookie_redacted, web_acl_arn, user_agent,
    auth_scheme, known_headers,
    rule_action IS NOT NULL OR coalesce(cardinality(session_cookies), 0) > 0 AS kept
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
),
-- Addresses that forward clients, and whether they may say who the client is. Trusted: a published
-- CDN range (client_cdn, marked at ingest) or a proxy the operator configured (trusted_1..4: the
-- window's addresses inside config.trustedProxies, matched by src/analyze/trusted-proxies.ts, bound
-- as ','-separated lists). Proxy-like: many distinct forwarded clients with ordinary requests, in
-- many user agents. Filtered logs (the `connect` filter drops ordinary ALLOW records) may show
-- fewer: there an address left direct is spared by ip-blocks.ts (filteredLogsReason), so Athena
-- never blocks what local analysis takes for a front.
-- A proxy-like address is taken at its word (the issue's traffic test for an unpublished CDN):
-- anyone who connects directly can write X-Forwarded-For, but the client it names is one identity
-- with that address's own traffic everywhere, so a forged header cannot frame a client with benign
-- history (its facts spare it), and the front itself is never blocked. The same definition is in blocked_groups.sql;
-- a test holds the two equal.
fronts AS (
  SELECT
    client_ip AS front_ip,
    bool_or(client_cdn IS NOT NULL) OR strpos(concat(?, ?, ?, ?), concat(',', client_ip, ',')) > 0 AS trusted,
    count(DISTINCT CASE WHEN score < 3 THEN forwarded_ip END) >= 10
      AND count(DISTINCT user_agent) >= 5 AS proxy_like
  FROM w
  WHERE forwarded_ip IS NOT NULL AND forwarded_ip <> client_ip
  GROUP BY client_ip
),
hops AS (
  SELECT
    w.*,
    CASE
      WHEN w.forwarded_ip IS NULL OR w.forwarded_ip = w.client_ip THEN 'direct'
      WHEN w.client_cdn IS NOT NULL OR f.trusted THEN 'edge'
      WHEN f.proxy_like THEN 'edge'
      ELSE 'direct'
    END AS hop,
    CASE
      WHEN w.client_cdn IS NOT NULL THEN w.client_cdn
      WHEN f.trusted THEN 'configured'
      WHEN f.proxy_like THEN 'forwarding'
    END AS front_kind
  FROM w
  LEFT JOIN fronts f ON f.front_ip = w.client_ip
),
-- A web ACL whose logs redact the Cookie header and hold no ordinary ALLOW record (no rule acted,
-- no evidence label): the logging `connect` sets, whose filter dropped them. Every client's allowed
-- history is then unknown (a client may have sent its allowed requests there), so the suggester is
-- conservative wherever a sparing fact rests on allowed traffic.
filtered AS (
  SELECT count_if(ordinary = 0 AND redacted > 0) > 0 AS filtered_logs
  FROM (
    SELECT
      web_acl_arn,
      count_if(action = 'ALLOW' AND rule_action IS NULL AND coalesce(cardinality(session_cookies), 0) = 0) AS ordinary,
      count_if(cookie_redacted) AS redacted
    FROM w
    GROUP BY web_acl_arn
  ) t
),
c AS (
  SELECT
    *,
    CASE hop
      WHEN 'edge' THEN forwarded_ip
      ELSE client_ip
    END AS client
  FROM hops
),
-- Every IPv6 client too: a /64 is only blocked when no other address in it is benign.
flagged AS (
  SELECT DISTINCT client
  FROM c
  WHERE rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE') OR score >= 3 OR strpos(client, ':') > 0
),
-- The web ACLs where a client came through a front (trusted or proxy-like): an IP block of that
-- client, resting on its own evidence, must match X-Forwarded-For there.
forwarded_acls AS (
  SELECT forwarded_ip AS client, array_sort(array_distinct(array_agg(web_acl_arn))) AS acls
  FROM c
  WHERE hop <> 'direct'
  GROUP BY forwarded_ip
),
profile AS (
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
    -- Forwarded addresses on the client's own ordinary requests (kept by the logging filter, no
    -- attack evidence) that no front vouches for: the clients of a proxy or NAT that has not shown
    -- itself as one. A scanner forging the header forges it on its attacks.
    count(DISTINCT CASE
      WHEN c.hop = 'direct' AND c.forwarded_ip <> c.client_ip AND c.kept AND c.score < 3 THEN c.forwarded_ip
    END) AS forwarded_clients,
    -- The address is itself a front: `cloudfront`, `cloudflare`, `fastly` (published ranges),
    -- `configured` (trustedProxies) or `forwarding` (its traffic shows many forwarded clients).
    max(CASE WHEN c.hop = 'direct' THEN c.front_kind END) AS edge_kind
  FROM c
  JOIN flagged f ON f.client = c.client
  GROUP BY c.client
)
SELECT
  p.*,
  fa.acls AS cdn_web_acls,
  (SELECT filtered_logs FROM filtered) AS filtered_logs
FROM profile p
LEFT JOIN forwarded_acls fa ON fa.client = p.client_ip
