import { countedRuleEntry, KNOWN_HEADERS, type WafEvent } from '../../schemas/event.js';
import type { WafLogRecord } from '../../schemas/waf-log.js';
import { evidenceLabels } from '../../schemas/waftune-labels.js';
import { rightMostOf } from '../cdn/forwarded.js';
import { publishedCdnOf } from '../cdn/published-edges.js';
import { cutCodePoints, lowerAscii, upperAscii } from '../classify/fold.js';
import { cookieFacts } from './cookies.js';
import { attributeRules } from './rule-match.js';
import { parseWebAclArn } from './web-acl-arn.js';

/** Bounds on attacker-sized fields: enough to match and show, never unbounded. */
const MAX_FIELD = 4096;
const MAX_MATCHED_DATA = 512;
const MAX_LABELS = 100;

/**
 * Bounded (in code points, as SQL counts them: src/engines/normalize-sql.ts is the same
 * normalization in SQL) and well-formed (see cutCodePoints).
 */
export const cut = (s: string, max = MAX_FIELD) => cutCodePoints(s, max);
const orNull = (s: string | null | undefined) => (s === undefined || s === null || s === '' ? null : cut(s));
/** WAF writes `-` where it has no value (httpSourceName, httpSourceId, country). */
const known = (s: string | null | undefined) => (s === '-' ? null : orNull(s));
const MAX_COUNTED = 50;
const NONE: readonly never[] = [];

/** The header names normalize reads, ASCII lower-case: the ones it keeps a value of, then KNOWN_HEADERS. */
const READ_HEADERS: readonly string[] = [
  'host',
  'user-agent',
  'referer',
  'cookie',
  'x-forwarded-for',
  'authorization',
  ...KNOWN_HEADERS,
];
/**
 * READ_HEADERS by length (a name of any other length cannot fold to one of them), dense up to the
 * longest: no holes to look past.
 */
const READ_HEADERS_BY_LENGTH: ReadonlyArray<readonly string[] | null> = (() => {
  const out: Array<string[] | null> = Array.from(
    { length: Math.max(...READ_HEADERS.map((h) => h.length)) + 1 },
    () => null,
  );
  for (const name of READ_HEADERS) {
    const same = out[name.length] ?? [];
    same.push(name);
    out[name.length] = same;
  }
  return out;
})();

/**
 * The READ_HEADERS entry `name` is, ignoring ASCII case (`lowerAscii(name) === entry`), else null.
 * Compared in place: a record has a dozen headers and most are none of these, so lower-casing
 * each name (a scan and often a new string) was most of the header loop's time. The same answer
 * as lowerAscii: it changes only A-Z, one code unit for one, so the length is kept and a code unit
 * folds exactly when it is an ASCII upper-case letter.
 */
function readHeader(name: string): string | null {
  if (name.length >= READ_HEADERS_BY_LENGTH.length) return null;
  const candidates = READ_HEADERS_BY_LENGTH[name.length];
  if (candidates === null || candidates === undefined) return null;
  for (const candidate of candidates) if (equalsIgnoringAsciiCase(name, candidate)) return candidate;
  return null;
}

/** `lowerAscii(s) === lower` for a `lower` of ASCII lower-case, hyphens and digits, of s's length. */
function equalsIgnoringAsciiCase(s: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * `new Date(ts).toISOString().slice(0, 10)`: the UTC day of a timestamp. Records of one batch or
 * file mostly share a day, so the last day's bounds are kept and a timestamp inside them takes its
 * text without formatting a Date (which cost more than all of the header loop). UTC days are all
 * 86,400,000 ms long in ECMAScript time (no leap seconds), so every ms in [start, start + 1 day)
 * has that day. Only days of non-negative, four-digit-year times are kept: a negative or
 * fractional time rounds toward zero in Date, and years past 9999 are written `+YYYYYY` up to the
 * last valid time, after which Date throws; all of those go through Date itself.
 */
const DAY_MS = 86_400_000;
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000; // 10000-01-01T00:00:00Z
let dayStart = 0;
let dayEnd = 0; // empty until the first day is kept
let dayText = '';
function utcDay(ts: number): string {
  if (ts >= dayStart && ts < dayEnd) return dayText;
  const text = new Date(ts).toISOString().slice(0, 10);
  const start = Date.parse(text); // a date-only form reads as UTC midnight
  if (start >= 0 && start + DAY_MS <= LAST_FOUR_DIGIT_YEAR_MS) {
    dayStart = start;
    dayEnd = start + DAY_MS;
    dayText = text;
  }
  return text;
}

/** Schemes from the IANA registry and common APIs; anything else reads `other`, so no credential can pass for a scheme. */
export const AUTHORIZATION_SCHEMES: readonly string[] = [
  'basic',
  'bearer',
  'digest',
  'negotiate',
  'ntlm',
  'hoba',
  'mutual',
  'token',
  'aws4-hmac-sha256',
];
const AUTH_SCHEMES: ReadonlySet<string> = new Set(AUTHORIZATION_SCHEMES);

/**
 * The scheme of an Authorization header (`basic` for WordPress application passwords, `bearer` for
 * tokens), never the credentials; where the logging configuration hid the header, the scheme
 * waftune's evidence label says WAF saw, else `redacted`.
 */
function authorizationScheme(value: string, labelled: string | null): string {
  if (value === 'REDACTED') return labelled ?? 'redacted';
  // ASCII case only, as SQL folds it (src/classify/fold.ts): no other letter spells a scheme.
  const word = lowerAscii(value.trimStart().split(/\s/, 1)[0] ?? '');
  return AUTH_SCHEMES.has(word) ? word : 'other';
}

type AclColumns = Pick<
  WafEvent,
  'web_acl_arn' | 'web_acl_name' | 'web_acl_region' | 'web_acl_scope' | 'account_id'
>;
const RECENT_ACLS_MAX = 256;
const recentAcls = new Map<string, AclColumns>();
/**
 * The event's web ACL columns. Records of one batch or file come from a few web ACLs, so recent
 * ones' columns are kept (a function of the id alone) instead of running the ARN regex and four
 * cuts again; the memory stays bounded however many ids a run sees.
 */
function aclColumns(webaclId: string): AclColumns {
  const known = recentAcls.get(webaclId);
  if (known !== undefined) return known;
  const acl = parseWebAclArn(webaclId);
  const columns: AclColumns = {
    web_acl_arn: cut(acl.arn),
    web_acl_name: cut(acl.name, 256),
    web_acl_region: cut(acl.region, 32),
    web_acl_scope: acl.scope,
    account_id: cut(acl.accountId, 32),
  };
  if (recentAcls.size >= RECENT_ACLS_MAX) recentAcls.clear();
  recentAcls.set(webaclId, columns);
  return columns;
}

/** One raw WAF log record -> one flat event, not yet classified. */
export function normalize(record: WafLogRecord): WafEvent {
  const req = record.httpRequest;
  const acl = aclColumns(record.webaclId);
  // Host values arrive with stray whitespace from some clients and proxies; the site is the same.
  let host: string | null = orNull(req.host?.trim());
  let userAgent: string | null = null;
  let referer: string | null = null;
  let cookieHeaders: string[] | null = null;
  // Only the last X-Forwarded-For header is read (rightMostOf: several are one list).
  let lastForwarded: string | null = null;
  let authHeader: string | null = null;
  let knownHeaders: string[] | null = null;
  for (const h of req.headers ?? []) {
    const name = readHeader(h.name);
    if (name === null) continue;
    const value = h.value ?? '';
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
        cookieHeaders ??= [];
        cookieHeaders.push(value);
        break;
      case 'x-forwarded-for':
        lastForwarded = value;
        break;
      case 'authorization':
        authHeader = value;
        break;
      default:
        // One of KNOWN_HEADERS.
        knownHeaders ??= [];
        if (!knownHeaders.includes(name)) knownHeaders.push(name);
    }
  }
  const labels: string[] = [];
  const recordLabels = record.labels ?? NONE;
  for (let i = 0; i < recordLabels.length && i < MAX_LABELS; i++)
    labels.push(cut((recordLabels[i] as { name: string }).name, 512));
  const evidence = evidenceLabels(labels);
  const cookies = cookieFacts(cookieHeaders ?? NONE, evidence);
  const authScheme = authHeader === null ? null : authorizationScheme(authHeader, evidence.authScheme);
  const { hit, counted } = attributeRules(record);
  const detail = hit?.details[0];
  const matched = hit?.details.flatMap((d) => d.matchedData ?? []).filter((t): t is string => t !== null);
  const ts = record.timestamp;
  return {
    ts,
    dt: utcDay(ts),
    web_acl_arn: acl.web_acl_arn,
    web_acl_name: acl.web_acl_name,
    web_acl_region: acl.web_acl_region,
    web_acl_scope: acl.web_acl_scope,
    account_id: acl.account_id,
    source: known(record.httpSourceName),
    host: cut(lowerAscii(host ?? ''), 256),
    client_ip: cut(req.clientIp, 64),
    forwarded_ip: lastForwarded === null ? null : rightMostOf(lastForwarded),
    client_cdn: publishedCdnOf(req.clientIp),
    country: req.country && req.country !== '-' ? cut(req.country, 8) : null,
    method: cut(upperAscii(req.httpMethod), 16),
    path: cut(req.uri),
    query: cut(req.args ?? ''),
    request_id: req.requestId && req.requestId !== 'null' ? cut(req.requestId, 128) : null,
    action: cut(upperAscii(record.action), 32),
    rule_action: hit ? cut(upperAscii(hit.action), 32) : null,
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
    // Already cut (to 128 code points) and well formed: cut() would give the same array.
    cookie_names: cookies.names,
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
