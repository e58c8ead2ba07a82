-- Blocks by one rule before and after a change (split_ts), per request shape, so that the caller
-- can keep the ones inside an override's scope. rule_group is '' for a web ACL's own rule.
-- params: split_before:bigint, split_after:bigint, from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, rule_group:string, rule_id:string
SELECT
  host,
  method,
  path,
  query,
  count_if(ts < ?) AS blocked_before,
  count_if(ts >= ?) AS blocked_after
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
  AND rule_action = 'BLOCK'
  AND coalesce(rule_group, '') = ?
  AND rule_id = ?
GROUP BY host, method, path, query
