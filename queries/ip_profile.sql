-- Everything known about each client that was blocked, counted or challenged at least once, or
-- that sent requests with attack evidence (score >= 3, allowed or not): the facts that fleet
-- signals and IP-block suggestions rest on.
-- params: from_dt:string, to_dt:string, from_ts:bigint, to_ts:bigint
WITH w AS (
  SELECT client_ip, host, method, path, action, rule_action, verdict, score, signals, wp_session,
    cookie_redacted, web_acl_arn, user_agent
  FROM events
  WHERE dt BETWEEN ? AND ? AND ts >= ? AND ts < ?
),
flagged AS (
  SELECT DISTINCT client_ip
  FROM w
  WHERE rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE') OR score >= 3
)
SELECT
  w.client_ip,
  count(*) AS requests,
  count_if(w.rule_action = 'BLOCK') AS blocked,
  count(DISTINCT w.host) AS sites,
  count(DISTINCT CASE WHEN w.rule_action = 'BLOCK' THEN w.host END) AS blocked_sites,
  count_if(w.score >= 3) AS attack_requests,
  count(DISTINCT CASE WHEN w.score >= 3 THEN w.host END) AS attack_sites,
  count_if(w.score >= 3 AND w.verdict IS NULL) AS allowed_attack_requests,
  count(DISTINCT CASE WHEN w.score >= 3 AND w.verdict IS NULL THEN w.host END) AS allowed_attack_sites,
  array_sort(array_distinct(flatten(array_agg(w.signals) FILTER (WHERE w.score >= 3)))) AS attack_signals,
  -- Sites where the address left an attack signature (src/suggest/strong-signals.ts), even one
  -- too weak alone to call the request an attack: a scanner spraying WordPress exploit paths.
  count(DISTINCT CASE WHEN arrays_overlap(w.signals, ARRAY[
    'attack-payload', 'probe-path', 'scanner-user-agent', 'injection-outside-body', 'admin-write-without-session'
  ]) THEN w.host END) AS signature_sites,
  count_if(
    w.action = 'ALLOW' AND w.rule_action IS NULL AND (
      w.wp_session
      OR (w.cookie_redacted AND w.method IN ('POST', 'PUT', 'PATCH')
        AND regexp_like(w.path, '^/wp-admin/(post|async-upload|admin-post|customize|widgets|nav-menus|options)\.php$|^/wp-json/wp/v2/(posts|pages|media|blocks)'))
    )
  ) AS admin_work,
  count_if(w.wp_session) AS session_requests,
  count(DISTINCT w.path) AS distinct_paths,
  bool_and(w.method IN ('GET', 'HEAD') AND w.path IN ('/', '/healthz', '/health', '/ping', '/status', '/wp-cron.php')) AS only_root_gets,
  count(DISTINCT w.web_acl_arn) AS web_acls,
  approx_distinct(w.user_agent) AS user_agents,
  coalesce(max(w.user_agent) FILTER (WHERE w.score >= 3), max(w.user_agent)) AS sample_user_agent
FROM w
JOIN flagged f ON f.client_ip = w.client_ip
GROUP BY w.client_ip
