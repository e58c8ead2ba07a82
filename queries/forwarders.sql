-- Addresses that sent requests with a forwarded client (X-Forwarded-For) and that no published
-- CDN range holds: the ones config.trustedProxies may name. src/analyze/trusted-proxies.ts matches
-- them against the configured ranges in TypeScript (the queries cannot test CIDR ranges alike on
-- both engines) and binds the matches to ip_profile.sql and blocked_groups.sql.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
SELECT client_ip, count(*) AS requests
FROM events
WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
  AND forwarded_ip IS NOT NULL AND forwarded_ip <> client_ip AND client_cdn IS NULL
GROUP BY client_ip
ORDER BY requests DESC, client_ip
