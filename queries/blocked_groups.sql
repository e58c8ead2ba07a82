-- Classifiable requests (blocked, counted, challenged) grouped where everything the classifier
-- and the suggester read is equal, per time bucket: the rows that fleet signals are folded onto.
-- `analyze` asks for one bucket covering its window; the digest for hours and the alerts for
-- 5-minute buckets. Buckets start at origin_ts + k * bucket_ms (so a digest in Europe/Berlin gets
-- local hours).
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, origin_ts:bigint, bucket_ms:bigint
WITH classifiable AS (
  SELECT *
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
    AND rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE')
),
bucketed AS (
  SELECT *, ts - ((ts - ?) % ?) AS bucket_ts
  FROM classifiable
)
SELECT
  bucket_ts,
  web_acl_arn,
  host,
  client_ip,
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
  verdict,
  score,
  signals,
  count(*) AS requests,
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  max(body_size) AS max_body_size
FROM bucketed
GROUP BY
  bucket_ts, web_acl_arn, host, client_ip, country, asn, method, path, query, rule_action,
  terminating_rule_type, rule_group, rule_id, labels, condition_type, match_location, matched_data,
  user_agent, cookie_names, wp_session, cookie_redacted, verdict, score, signals
