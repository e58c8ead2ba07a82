-- blocked_groups.sql split into time buckets (hours for the digest, 5 minutes for the alerts), with
-- the client's country and ASN: the rows the digest and the alerts fold fleet signals onto. Merged
-- over the buckets they are exactly blocked_groups' rows.
-- Buckets start at origin_ts + k * bucket_ms (so a digest in Europe/Berlin gets local hours).
-- params: origin_ts:bigint, bucket_ms:bigint, from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
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
FROM (
  SELECT *, ts - ((ts - ?) % ?) AS bucket_ts
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
    AND rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE')
) e
GROUP BY
  bucket_ts, web_acl_arn, host, client_ip, country, asn, method, path, query, rule_action,
  terminating_rule_type, rule_group, rule_id, labels, condition_type, match_location, matched_data,
  user_agent, cookie_names, wp_session, cookie_redacted, verdict, score, signals
