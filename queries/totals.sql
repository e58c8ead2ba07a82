-- Requests by WAF action, by what the matched rule did, and by request-stage verdict.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
SELECT
  action,
  rule_action,
  verdict,
  count(*) AS requests
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
GROUP BY action, rule_action, verdict
ORDER BY requests DESC, action, rule_action, verdict
