-- Per site, the paths blocked most, with the rule that blocked them most.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint, per_site:bigint
WITH blocked AS (
  SELECT host, path, rule_id, count(*) AS requests, approx_distinct(client_ip) AS client_ips
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
    AND rule_action = 'BLOCK'
  GROUP BY host, path, rule_id
),
by_path AS (
  SELECT
    host,
    path,
    sum(requests) AS requests,
    max(client_ips) AS client_ips,
    max_by(rule_id, requests) AS top_rule
  FROM blocked
  GROUP BY host, path
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY host ORDER BY requests DESC, path) AS rank_in_site
  FROM by_path
)
SELECT host, path, requests, client_ips, top_rule, rank_in_site
FROM ranked
WHERE rank_in_site <= ?
ORDER BY host, rank_in_site
