-- Classifiable requests (blocked, counted, challenged) grouped where everything the classifier
-- and the suggester read is equal, per time bucket: the rows that fleet signals are folded onto.
-- `analyze` asks for one bucket covering its window; the digest for hours and the alerts for
-- 5-minute buckets. Buckets start at origin_ts + k * bucket_ms (so a digest in Europe/Berlin gets
-- local hours).
--
-- client_ip is the client: the forwarded address (the right-most X-Forwarded-For) where clientIp
-- is a CDN edge, clientIp otherwise (via_edge says which). forwarded_ip stays as logged, so that a
-- replay can decide a forwarded-IP block exactly as WAF would.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, origin_ts:bigint, bucket_ms:bigint
WITH w AS (
  SELECT *
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
),
-- CDN edges shown by the traffic (edges of a published CDN range are marked at ingest: client_cdn):
-- one address carrying many distinct forwarded clients with ordinary requests, in many user agents.
-- However busy an attacker behind it is; an address forging X-Forwarded-For shows few clients, one
-- user agent. The same definition is in ip_profile.sql; a test holds the two equal.
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
classifiable AS (
  SELECT
    *,
    edge_address AND forwarded_ip IS NOT NULL AS via_edge,
    ts - ((ts - ?) % ?) AS bucket_ts
  FROM edged
  WHERE rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE')
)
SELECT
  bucket_ts,
  web_acl_arn,
  host,
  CASE WHEN via_edge THEN forwarded_ip ELSE client_ip END AS client_ip,
  via_edge,
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
  bucket_ts, web_acl_arn, host, CASE WHEN via_edge THEN forwarded_ip ELSE client_ip END, via_edge, forwarded_ip,
  country, asn, method, path, query, rule_action, terminating_rule_type, rule_group, rule_id, labels,
  condition_type, match_location, matched_data, user_agent, cookie_names, wp_session, cookie_redacted,
  auth_scheme, known_headers, verdict, score, signals
