-- Requests from a list of addresses before and after a change (split_ts), and how many were
-- blocked. addresses is ',a,b,c,' (bound as one string: parameters cannot be lists).
-- params: split_before:bigint, split_before_blocked:bigint, split_after:bigint, split_after_blocked:bigint, from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, addresses:string
SELECT
  count_if(ts < ?) AS requests_before,
  count_if(ts < ? AND action = 'BLOCK') AS blocked_before,
  count_if(ts >= ?) AS requests_after,
  count_if(ts >= ? AND action = 'BLOCK') AS blocked_after
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
  AND strpos(?, ',' || client_ip || ',') > 0
