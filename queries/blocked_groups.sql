-- Classifiable requests (blocked, counted, challenged) grouped where everything the classifier
-- and the suggester read is equal: the rows that fleet signals are folded onto.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
SELECT
  web_acl_arn,
  host,
  client_ip,
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
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
  AND rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE')
GROUP BY
  web_acl_arn, host, client_ip, method, path, query, rule_action, terminating_rule_type, rule_group,
  rule_id, labels, condition_type, match_location, matched_data, user_agent, cookie_names, wp_session,
  cookie_redacted, verdict, score, signals
