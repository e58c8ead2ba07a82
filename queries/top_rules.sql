-- The rules that blocked, counted or challenged most, with how widely they fired.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, max_rows:bigint
SELECT
  rule_group,
  rule_id,
  rule_action,
  count(*) AS requests,
  approx_distinct(client_ip) AS client_ips,
  count(DISTINCT host) AS sites,
  count(DISTINCT web_acl_arn) AS web_acls
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
  AND rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE')
GROUP BY rule_group, rule_id, rule_action
ORDER BY requests DESC, rule_group, rule_id, rule_action
LIMIT ?
