-- Classifiable requests (blocked, counted, challenged) grouped where everything the classifier
-- and the suggester read is equal, per time bucket: the rows that fleet signals are folded onto.
-- `analyze` asks for one bucket covering its window; the digest for hours and the alerts for
-- 5-minute buckets. Buckets start at origin_ts + k * bucket_ms (so a digest in Europe/Berlin gets
-- local hours).
--
-- client_ip is the client: the forwarded address (the right-most X-Forwarded-For) where clientIp
-- is a front (a published CDN edge, a configured proxy, or an address whose traffic shows many
-- forwarded clients: via_edge), clientIp otherwise. forwarded_ip stays as logged, so that a replay can decide a
-- forwarded-IP block exactly as WAF would.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, trusted_1:string, trusted_2:string, trusted_3:string, trusted_4:string, origin_ts:bigint, bucket_ms:bigint
WITH w AS (
  SELECT *, rule_action IS NOT NULL OR coalesce(cardinality(session_cookies), 0) > 0 AS kept
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
-- history (its facts spare it), and the front itself is never blocked. The same definition is in ip_profile.sql;
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
    -- A front no published range or configuration vouches for: one connection can write any number
    -- of X-Forwarded-For values, so what it carries counts as one independent source (fleet.ts).
    CASE
      WHEN w.forwarded_ip IS NOT NULL AND w.forwarded_ip <> w.client_ip AND w.client_cdn IS NULL
        AND NOT f.trusted AND f.proxy_like THEN w.client_ip
    END AS via_proxy
  FROM w
  LEFT JOIN fronts f ON f.front_ip = w.client_ip
),
classifiable AS (
  SELECT
    *,
    hop = 'edge' AS via_edge,
    CASE hop
      WHEN 'edge' THEN forwarded_ip
      ELSE client_ip
    END AS client,
    ts - ((ts - ?) % ?) AS bucket_ts
  FROM hops
  WHERE rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE')
)
SELECT
  bucket_ts,
  web_acl_arn,
  host,
  client AS client_ip,
  via_edge,
  via_proxy,
  forwarded_ip,
  country,
  asn,
  method,
  path,
  query,
  rule_action,
  terminating_rule_type,
  rule_group,
  rule_id,
  labels,
  condition_type,
  match_location,
  matched_data,
  user_agent,
  cookie_names,
  wp_session,
  session_cookies,
  cookie_redacted,
  auth_scheme,
  known_headers,
  verdict,
  score,
  signals,
  count(*) AS requests,
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  max(body_size) AS max_body_size
FROM classifiable
GROUP BY
  bucket_ts, web_acl_arn, host, client, via_edge, via_proxy, forwarded_ip,
  country, asn, method, path, query, rule_action, terminating_rule_type, rule_group, rule_id, labels,
  condition_type, match_location, matched_data, user_agent, cookie_names, wp_session, session_cookies,
  cookie_redacted, auth_scheme, known_headers, verdict, score, signals
