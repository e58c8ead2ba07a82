-- Blocks by one rule before and after a change (split_ts), per request shape (with the header facts
-- an override's header conditions read), so that the caller can keep the ones inside its scope.
-- rule_group is '' for a web ACL's own rule.
-- params: split_before:bigint, split_after:bigint, from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, rule_group:string, rule_id:string
SELECT
  host,
  method,
  path,
  query,
  user_agent,
  cookie_names,
  cookie_redacted,
  wp_session,
  count_if(ts < ?) AS blocked_before,
  count_if(ts >= ?) AS blocked_after
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
  AND rule_action = 'BLOCK'
  AND coalesce(rule_group, '') = ?
  AND rule_id = ?
GROUP BY host, method, path, query, user_agent, cookie_names, cookie_redacted, wp_session
