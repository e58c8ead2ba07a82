import { EVENT_COLUMNS, KNOWN_HEADERS } from '../../schemas/event.js';
import { AUTH_SCHEMES, SESSION_COOKIES, WAFTUNE_LABEL_NAMESPACE } from '../../schemas/waftune-labels.js';
import { FORWARDED_HEADER, IPV4_TEXT, IPV6_TEXT } from '../cdn/forwarded.js';
import { ATTACK_THRESHOLD, FALSE_POSITIVE_THRESHOLD } from '../classify/classify.js';
import { compileSql, type TextField, type View, viewsUsed } from '../classify/condition.js';
import { emitPattern, type Pattern, pattern, SPACE_RANGES } from '../classify/pattern.js';
import { REQUEST_SIGNALS } from '../classify/signals.js';
import {
  cutSql,
  decodeSql,
  lowerSql,
  type SqlDialect,
  sqlString,
  trimSql,
  upperSql,
} from '../classify/sql-fold.js';
import { AUTHORIZATION_SCHEMES } from '../ingest/normalize.js';
import { WEB_ACL_ARN } from '../ingest/web-acl-arn.js';
import { listSql } from './sql-dialect.js';

/**
 * src/ingest/normalize.ts and the request signals as SQL, for DuckDB (the local reader's rows that
 * no rule matched) and Trino (the Athena view over raw WAF logs). The input is a relation of
 * generic raw columns (RAW_INPUT); the output has every events column. A differential test runs
 * it on DuckDB against the TypeScript normalize + classify.
 */

/** The raw columns the SQL reads, already typed: what the local reader and the Athena table provide. */
export const RAW_INPUT = [
  'ts', // BIGINT epoch ms
  'webacl_id',
  'terminating_rule_type',
  'http_source_name',
  'client_ip',
  'country',
  'uri',
  'args',
  'http_method',
  'request_id',
  'req_host',
  'headers', // array of (name, value) rows, value already a plain string or null
  'label_names', // array of strings or null
  'ja3',
  'ja4',
  'body_size',
  'body_inspected',
  'asn', // text or null
  'response_code',
  'action',
] as const;

const MAX_FIELD = 4096;

/** The headers the normalization reads, by lower-cased name. */
export const WANTED_HEADERS: readonly string[] = [
  'host',
  'user-agent',
  'referer',
  'cookie',
  FORWARDED_HEADER,
  'authorization',
  ...KNOWN_HEADERS,
];

/**
 * schemas/waftune-labels.ts's evidenceLabels: a web ACL's own label
 * (`awswaf:<account>:webacl:<name>:waftune:wp-logged-in`), not a rule group's with the same tail.
 */
const ownLabel = (label: string): Pattern =>
  pattern(`^awswaf:[0-9]*:webacl:[A-Za-z0-9_\\-]+:${label.replaceAll('-', '\\-')}$`);
const likeSql = (x: string, p: Pattern) => `regexp_like(${x}, ${sqlString(emitPattern(p, 'sql'))})`;

const SPACE = SPACE_RANGES.map((r) =>
  r.from === r.to ? `\\u${hex4(r.from)}` : `\\u${hex4(r.from)}-\\u${hex4(r.to)}`,
).join('');
function hex4(cp: number): string {
  return cp.toString(16).padStart(4, '0');
}
/** normalize.ts's authorizationScheme: the first word after leading whitespace. */
const FIRST_WORD = pattern(`^[${SPACE}]*([^${SPACE}]*)`);

/** Header and cookie facts, computed once per row before the columns that use them. */
function headerColumns(d: SqlDialect): Record<string, string> {
  const L = listSql(d);
  // `lower` (Unicode) is a superset test of the ASCII one: only the few headers it keeps are folded exactly.
  const named = (n: string) =>
    L.transform(
      L.filter('wanted_headers', `h -> ${lowerSql('h.name', d)} = '${n}'`),
      "h -> coalesce(h.value, '')",
    );
  const arn = sqlString(emitPattern(WEB_ACL_ARN, 'sql'));
  // One regex call for the four parts; '' for each where the id is not a web ACL ARN.
  const aclParts =
    d === 'duckdb'
      ? `regexp_extract(webacl_id, ${arn}, ['r', 'a', 's', 'n'])`
      : `CAST(ROW(${[1, 2, 3, 4].map((i) => `coalesce(regexp_extract(webacl_id, ${arn}, ${i}), '')`).join(', ')}) AS ROW(r VARCHAR, a VARCHAR, s VARCHAR, n VARCHAR))`;
  return {
    acl_parts: aclParts,
    host_values: named('host'),
    ua_values: named('user-agent'),
    referer_values: named('referer'),
    cookie_values: named('cookie'),
    xff_values: named(FORWARDED_HEADER),
    auth_values: named('authorization'),
    known_names: L.sortDistinct(
      L.filter(
        L.transform('wanted_headers', `h -> ${lowerSql('h.name', d)}`),
        `n -> n IN (${KNOWN_HEADERS.map(sqlString).join(', ')})`,
      ),
    ),
    // evidenceLabels reads the first 100 labels, each cut to 512, that name waftune's namespace.
    waftune_labels: L.filter(
      L.transform('slice(label_names, 1, 100)', `l -> ${cutSql('l', 512)}`),
      `l -> strpos(l, ${sqlString(`:${WAFTUNE_LABEL_NAMESPACE}:`)}) > 0`,
    ),
  };
}

function cookieColumns(d: SqlDialect): Record<string, string> {
  const L = listSql(d);
  const sent: Record<string, string> = {};
  // cookies.ts: a tracked cookie was sent when a Cookie header contains its text, or its label says so.
  SESSION_COOKIES.forEach((c, i) => {
    sent[`session_${i}`] =
      `(${L.anyMatch('cookie_values', `v -> v <> 'REDACTED' AND strpos(v, ${sqlString(c.cookie)}) > 0`)} OR ${L.anyMatch('waftune_labels', `l -> ${likeSql('l', ownLabel(c.label))}`)})`;
  });
  const labelled = L.first(
    L.filter(
      L.transform(
        'waftune_labels',
        `l -> CASE ${AUTH_SCHEMES.map((a) => `WHEN ${likeSql('l', ownLabel(a.label))} THEN ${sqlString(a.scheme)}`).join(' ')} END`,
      ),
      'x -> x IS NOT NULL',
    ),
  );
  const authLast = L.last('auth_values');
  const word = lowerSql(`regexp_extract(${authLast}, ${sqlString(emitPattern(FIRST_WORD, 'sql'))}, 1)`, d);
  return {
    ...sent,
    // rightMostOf: the last header's text after its last comma, trimmed.
    xff_entry: trimSql(L.last(L.split(L.last('xff_values'), "','")), d),
    auth_scheme_sql: `CASE WHEN ${authLast} IS NULL THEN NULL WHEN ${authLast} = 'REDACTED' THEN coalesce(${labelled}, 'redacted') WHEN ${word} IN (${AUTHORIZATION_SCHEMES.map(sqlString).join(', ')}) THEN ${word} ELSE 'other' END`,
    cookie_names_all: L.filter(
      L.transform(
        `flatten(${L.transform(L.filter('cookie_values', "v -> v <> 'REDACTED'"), `v -> ${L.split('v', "';'")}`)})`,
        `p -> ${trimSql("split_part(p, '=', 1)", d)}`,
      ),
      "n -> n <> ''",
    ),
  };
}

/** The columns derived from the request (everything but the rule attribution), as SELECT items. */
function requestColumns(d: SqlDialect, emptyList: string, clientCdn: string): Record<string, string> {
  const L = listSql(d);
  const orNull = (x: string) => `CASE WHEN ${x} = '' THEN NULL ELSE ${cutSql(x, MAX_FIELD)} END`;
  const part = (i: number) => `acl_parts.${['', 'r', 'a', 's', 'n'][i]}`;
  const matched = `acl_parts.s <> ''`;
  const hostHeader = L.first(L.filter(L.transform('host_values', `v -> ${trimSql('v', d)}`), "v -> v <> ''"));
  const lastValue = (list: string, max: number) =>
    `CASE WHEN cardinality(${list}) = 0 THEN NULL ELSE ${cutSql(L.last(list), max)} END`;
  return {
    ts: 'ts',
    dt: L.utcDay('ts'),
    web_acl_arn: cutSql('webacl_id', MAX_FIELD),
    web_acl_name: `CASE WHEN ${matched} THEN ${cutSql(part(4), 256)} ELSE ${cutSql('webacl_id', 256)} END`,
    web_acl_region: `CASE WHEN ${matched} THEN ${cutSql(part(1), 32)} ELSE '' END`,
    web_acl_scope: `CASE WHEN NOT ${matched} THEN '' WHEN ${part(3)} = 'global' THEN 'CLOUDFRONT' ELSE 'REGIONAL' END`,
    account_id: `CASE WHEN ${matched} THEN ${cutSql(part(2), 32)} ELSE '' END`,
    source: `CASE WHEN http_source_name = '-' THEN NULL ELSE ${orNull('http_source_name')} END`,
    host: cutSql(lowerSql(`coalesce(nullif(${trimSql('req_host', d)}, ''), ${hostHeader}, '')`, d), 256),
    client_ip: cutSql('client_ip', 64),
    // validIp: length and the text forms first (ASCII only, so lengths agree), lower case for IPv6.
    forwarded_ip: `CASE WHEN ${likeSql('xff_entry', IPV4_TEXT)} THEN xff_entry WHEN length(xff_entry) <= 45 AND ${likeSql('xff_entry', IPV6_TEXT)} THEN ${lowerSql('xff_entry', d)} END`,
    client_cdn: clientCdn,
    country: `CASE WHEN country IS NULL OR country IN ('', '-') THEN NULL ELSE ${cutSql('country', 8)} END`,
    method: cutSql(upperSql('http_method', d), 16),
    path: cutSql('uri', MAX_FIELD),
    query: cutSql("coalesce(args, '')", MAX_FIELD),
    request_id: `CASE WHEN request_id IS NULL OR request_id IN ('', 'null') THEN NULL ELSE ${cutSql('request_id', 128)} END`,
    action: cutSql(upperSql('action', d), 32),
    terminating_rule_type: orNull('terminating_rule_type'),
    labels: `coalesce(${L.transform(`slice(label_names, 1, 100)`, `l -> ${cutSql('l', 512)}`)}, ${emptyList})`,
    body_size: 'body_size',
    body_inspected: 'body_inspected',
    user_agent: lastValue('ua_values', 1024),
    referer: lastValue('referer_values', 1024),
    cookie_names: `coalesce(${L.transform(`slice(cookie_names_all, 1, 40)`, `n -> ${cutSql('n', 128)}`)}, ${emptyList})`,
    wp_session: 'session_0',
    session_cookies: `filter(ARRAY[${SESSION_COOKIES.map((c, i) => `CASE WHEN session_${i} THEN ${sqlString(c.cookie)} END`).join(', ')}], x -> x IS NOT NULL)`,
    cookie_redacted: L.anyMatch('cookie_values', "v -> v = 'REDACTED'"),
    auth_scheme: 'auth_scheme_sql',
    known_headers: `coalesce(known_names, ${emptyList})`,
    ja3: orNull('ja3'),
    ja4: orNull('ja4'),
    asn: 'asn',
    response_code: 'response_code',
  };
}

const viewColumn = (field: TextField, view: View) => `v_${field}_${view.replace('-', '_')}`;

/** Each request signal's condition, once per row (score, signals and reasons read the flags). */
function signalFlags(): Record<string, string> {
  const out: Record<string, string> = {};
  REQUEST_SIGNALS.forEach((s, i) => {
    out[`sig_${i}`] = compileSql(s.when, (f, v) => (v === 'raw' ? f : viewColumn(f, v)));
  });
  return out;
}

/** The request signals, score and reasons from the flags. */
function signalColumns(): Record<string, string> {
  const list = (values: string[]) =>
    `filter(ARRAY[${REQUEST_SIGNALS.map((_, i) => `CASE WHEN sig_${i} THEN ${values[i]} END`).join(', ')}], x -> x IS NOT NULL)`;
  const score = `(${REQUEST_SIGNALS.map((s, i) => `CASE WHEN sig_${i} THEN ${s.weight} ELSE 0 END`).join(' + ')})`;
  return {
    score: `CAST(${score} AS DOUBLE)`,
    signals: list(REQUEST_SIGNALS.map((s) => sqlString(s.id))),
    reasons: list(REQUEST_SIGNALS.map((s) => sqlString(s.reason))),
  };
}

function viewColumns(d: SqlDialect): Record<string, string> {
  const used = new Set<string>();
  for (const s of REQUEST_SIGNALS) viewsUsed(s.when, used);
  const out: Record<string, string> = {};
  for (const key of [...used].sort()) {
    const [field, view] = key.split(':') as [TextField, View];
    out[viewColumn(field, view)] = view === 'lower' ? lowerSql(field, d) : lowerSql(decodeSql(field), d);
  }
  return out;
}

const select = (cols: Record<string, string>) =>
  Object.entries(cols)
    .map(([name, expr]) => `${expr} AS ${name}`)
    .join(',\n    ');

/**
 * SELECT over `source` (a relation with RAW_INPUT columns, plus `passthrough` columns kept as they
 * are) producing the events columns in EVENT_COLUMNS order. `rules` gives the rule attribution
 * columns (null for requests no rule matched).
 */
export function normalizeSql(opts: {
  dialect: SqlDialect;
  source: string;
  passthrough?: readonly string[];
  /** The day column, when not the UTC day of ts (the Athena view takes the partition's). */
  dt?: string;
  /**
   * client_cdn from `client_ip` (the raw one): publishedCdnOf in SQL (the Athena view), or null
   * (the local reader sets it afterwards from the distinct addresses, with publishedCdnOf itself).
   */
  clientCdn?: string;
  rules?: Partial<
    Record<
      | 'rule_action'
      | 'acl_rule'
      | 'rule_group'
      | 'rule_id'
      | 'counted_rules'
      | 'condition_type'
      | 'match_location'
      | 'matched_data',
      string
    >
  >;
}): string {
  const keep = opts.passthrough ?? [];
  const emptyList = opts.dialect === 'duckdb' ? 'CAST([] AS VARCHAR[])' : 'CAST(ARRAY[] AS ARRAY(VARCHAR))';
  const rules = {
    rule_action: 'CAST(NULL AS VARCHAR)',
    acl_rule: 'CAST(NULL AS VARCHAR)',
    rule_group: 'CAST(NULL AS VARCHAR)',
    rule_id: 'CAST(NULL AS VARCHAR)',
    counted_rules: emptyList,
    condition_type: 'CAST(NULL AS VARCHAR)',
    match_location: 'CAST(NULL AS VARCHAR)',
    matched_data: 'CAST(NULL AS VARCHAR)',
    ...opts.rules,
  };
  const pass = keep.map((k) => `${k}, `).join('');
  const n1 = {
    ...requestColumns(opts.dialect, emptyList, opts.clientCdn ?? 'CAST(NULL AS VARCHAR)'),
    ...rules,
    ...(opts.dt ? { dt: opts.dt } : {}),
  };
  const classifiable = `rule_action IN ('BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE')`;
  const names = EVENT_COLUMNS.map((c) => c.name);
  const L = listSql(opts.dialect);
  // `lower` (Unicode) keeps a superset of the names lowerSql folds to a wanted one.
  const wanted = L.filter('headers', `h -> lower(h.name) IN (${WANTED_HEADERS.map(sqlString).join(', ')})`);
  return `WITH n0 AS (
  SELECT *, ${select(headerColumns(opts.dialect))}
  FROM (SELECT *, ${wanted} AS wanted_headers FROM ${opts.source})
),
n0c AS (
  SELECT *, ${select(cookieColumns(opts.dialect))}
  FROM n0
),
n1 AS (
  SELECT ${pass}${select(n1)}
  FROM n0c
),
n2 AS (
  SELECT *, ${select(viewColumns(opts.dialect))}
  FROM n1
),
n2f AS (
  SELECT *, ${select(signalFlags())}
  FROM n2
),
n3 AS (
  SELECT *, ${select(signalColumns())}
  FROM n2f
)
SELECT ${pass}${names
    .map((n) =>
      n === 'verdict'
        ? `CASE WHEN ${classifiable} THEN CASE WHEN score >= ${ATTACK_THRESHOLD} THEN 'likely-attack' WHEN score <= ${FALSE_POSITIVE_THRESHOLD} THEN 'likely-false-positive' ELSE 'uncertain' END END AS verdict`
        : n,
    )
    .join(', ')}
FROM n3`;
}
