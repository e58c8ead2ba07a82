-- Per site, the paths blocked most, with the rule that blocked them most (ties broken by name,
-- so that the report is the same on every run).
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, per_site:bigint
WITH blocked AS (
  SELECT host, path, rule_id, count(*) AS requests, approx_distinct(client_ip) AS client_ips
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
    AND rule_action = 'BLOCK'
  GROUP BY host, path, rule_id
),
by_rule AS (
  SELECT
    host,
    path,
    rule_id,
    sum(requests) OVER (PARTITION BY host, path) AS path_requests,
    max(client_ips) OVER (PARTITION BY host, path) AS client_ips,
    row_number() OVER (PARTITION BY host, path ORDER BY requests DESC, rule_id) AS rule_rank
  FROM blocked
),
ranked AS (
  SELECT
    host,
    path,
    path_requests AS requests,
    client_ips,
    rule_id AS top_rule,
    row_number() OVER (PARTITION BY host ORDER BY path_requests DESC, path) AS rank_in_site
  FROM by_rule
  WHERE rule_rank = 1
)
SELECT host, path, requests, client_ips, top_rule, rank_in_site
FROM ranked
WHERE rank_in_site <= ?
ORDER BY host, rank_in_site
