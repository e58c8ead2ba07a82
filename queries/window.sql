-- The time span and size of the data in a window: what the report is about.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
SELECT
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  count(*) AS events,
  count(DISTINCT web_acl_arn) AS web_acls,
  count(DISTINCT host) AS sites,
  approx_distinct(client_ip) AS client_ips
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
