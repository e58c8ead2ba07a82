import { countedRuleEntry, KNOWN_HEADERS, type WafEvent } from '../../schemas/event.js';
import type { WafLogRecord } from '../../schemas/waf-log.js';
import { evidenceLabels } from '../../schemas/waftune-labels.js';
import { rightMostForwarded } from '../cdn/forwarded.js';
import { publishedCdnOf } from '../cdn/published-edges.js';
import { cookieFacts } from './cookies.js';
import { attributeRules } from './rule-match.js';
import { parseWebAclArn } from './web-acl-arn.js';

/** Bounds on attacker-sized fields: enough to match and show, never unbounded. */
const MAX_FIELD = 4096;
const MAX_MATCHED_DATA = 512;
const MAX_LABELS = 100;

/**
 * Bounded and well-formed: a lone UTF-16 surrogate (legal in JSON text, written by attackers) cannot
 * be stored as UTF-8 by DuckDB or Athena, so it becomes U+FFFD here.
 */
export const cut = (s: string, max = MAX_FIELD) => {
  const bounded = s.length > max ? s.slice(0, max) : s;
  return bounded.isWellFormed() ? bounded : bounded.toWellFormed();
};
const orNull = (s: string | null | undefined) => (s === undefined || s === null || s === '' ? null : cut(s));
/** WAF writes `-` where it has no value (httpSourceName, httpSourceId, country). */
const known = (s: string | null | undefined) => (s === '-' ? null : orNull(s));
const MAX_COUNTED = 50;

const KNOWN_HEADER_SET: ReadonlySet<string> = new Set(KNOWN_HEADERS);

/** Schemes from the IANA registry and common APIs; anything else reads `other`, so no credential can pass for a scheme. */
const AUTH_SCHEMES: ReadonlySet<string> = new Set([
  'basic',
  'bearer',
  'digest',
  'negotiate',
  'ntlm',
  'hoba',
  'mutual',
  'token',
  'aws4-hmac-sha256',
]);

/**
 * The scheme of an Authorization header (`basic` for WordPress application passwords, `bearer` for
 * tokens), never the credentials; where the logging configuration hid the header, the scheme
 * waftune's evidence label says WAF saw, else `redacted`.
 */
function authorizationScheme(value: string, labelled: string | null): string {
  if (value === 'REDACTED') return labelled ?? 'redacted';
  const word = value.trimStart().split(/\s/, 1)[0]?.toLowerCase() ?? '';
  return AUTH_SCHEMES.has(word) ? word : 'other';
}

/** One raw WAF log record -> one flat event, not yet classified. */
export function normalize(record: WafLogRecord): WafEvent {
  const req = record.httpRequest;
  const acl = parseWebAclArn(record.webaclId);
  // Host values arrive with stray whitespace from some clients and proxies; the site is the same.
  let host: string | null = orNull(req.host?.trim());
  let userAgent: string | null = null;
  let referer: string | null = null;
  const cookieHeaders: string[] = [];
  const forwardedHeaders: string[] = [];
  let authHeader: string | null = null;
  let knownHeaders: string[] | null = null;
  for (const h of req.headers ?? []) {
    const value = h.value ?? '';
    const name = h.name.toLowerCase();
    switch (name) {
      case 'host':
        host ??= orNull(value.trim());
        break;
      case 'user-agent':
        userAgent = value;
        break;
      case 'referer':
        referer = value;
        break;
      case 'cookie':
        cookieHeaders.push(value);
        break;
      case 'x-forwarded-for':
        forwardedHeaders.push(value);
        break;
      case 'authorization':
        authHeader = value;
        break;
      default:
        if (KNOWN_HEADER_SET.has(name)) {
          knownHeaders ??= [];
          if (!knownHeaders.includes(name)) knownHeaders.push(name);
        }
    }
  }
  const labels = (record.labels ?? []).slice(0, MAX_LABELS).map((l) => cut(l.name, 512));
  const evidence = evidenceLabels(labels);
  const cookies = cookieFacts(cookieHeaders, evidence);
  const authScheme = authHeader === null ? null : authorizationScheme(authHeader, evidence.authScheme);
  const { hit, counted } = attributeRules(record);
  const detail = hit?.details[0];
  const matched = hit?.details.flatMap((d) => d.matchedData ?? []).filter((t): t is string => t !== null);
  const ts = record.timestamp;
  return {
    ts,
    dt: new Date(ts).toISOString().slice(0, 10),
    web_acl_arn: cut(acl.arn),
    web_acl_name: cut(acl.name, 256),
    web_acl_region: cut(acl.region, 32),
    web_acl_scope: acl.scope,
    account_id: cut(acl.accountId, 32),
    source: known(record.httpSourceName),
    host: cut((host ?? '').toLowerCase(), 256),
    client_ip: cut(req.clientIp, 64),
    forwarded_ip: rightMostForwarded(forwardedHeaders),
    client_cdn: publishedCdnOf(req.clientIp),
    country: req.country && req.country !== '-' ? cut(req.country, 8) : null,
    method: cut(req.httpMethod.toUpperCase(), 16),
    path: cut(req.uri),
    query: cut(req.args ?? ''),
    request_id: req.requestId && req.requestId !== 'null' ? cut(req.requestId, 128) : null,
    action: cut(record.action.toUpperCase(), 32),
    rule_action: hit ? cut(hit.action.toUpperCase(), 32) : null,
    acl_rule: hit?.aclRule ? cut(hit.aclRule, 256) : null,
    terminating_rule_type: orNull(record.terminatingRuleType),
    rule_group: hit?.group ? cut(hit.group, 512) : null,
    rule_id: hit ? cut(hit.ruleId, 256) : null,
    counted_rules: counted
      .slice(0, MAX_COUNTED)
      .map((c) => countedRuleEntry(c.group === null ? null : cut(c.group, 512), cut(c.ruleId, 256))),
    labels,
    condition_type: orNull(detail?.conditionType),
    match_location: orNull(detail?.location),
    matched_data: matched && matched.length > 0 ? cut(matched.join(' '), MAX_MATCHED_DATA) : null,
    body_size: record.requestBodySize ?? null,
    body_inspected: record.requestBodySizeInspectedByWAF ?? null,
    user_agent: userAgent === null ? null : cut(userAgent, 1024),
    referer: referer === null ? null : cut(referer, 1024),
    cookie_names: cookies.names.map((name) => cut(name)),
    wp_session: cookies.wpSession,
    session_cookies: cookies.sessionCookies,
    cookie_redacted: cookies.redacted,
    auth_scheme: authScheme,
    known_headers: knownHeaders ? knownHeaders.sort() : [],
    ja3: orNull(record.ja3Fingerprint),
    ja4: orNull(record.ja4Fingerprint),
    asn: record.clientAsn === undefined || record.clientAsn === null ? null : String(record.clientAsn),
    response_code: record.responseCodeSent ?? null,
    verdict: null,
    score: 0,
    signals: [],
    reasons: [],
  };
}
