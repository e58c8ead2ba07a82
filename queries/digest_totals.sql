-- Requests by WAF action and by what the matched rule did, per time bucket (days for the trend,
-- hours for the chart). Buckets start at origin_ts + k * bucket_ms.
-- params: origin_ts:bigint, bucket_ms:bigint, from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
SELECT
  bucket_ts,
  action,
  rule_action,
  count(*) AS requests
FROM (
  SELECT ts - ((ts - ?) % ?) AS bucket_ts, action, rule_action
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
) e
GROUP BY bucket_ts, action, rule_action
ORDER BY bucket_ts
