import { IPV4_TEXT } from '../cdn/forwarded.js';
import { publishedSets } from '../cdn/published-edges.js';
import { emitPattern } from '../classify/pattern.js';
import { cutSql, type SqlDialect, sqlString } from '../classify/sql-fold.js';
import { normalizeSql } from './normalize-sql.js';
import { ruleColumnsSql, ruleEventColumnsSql } from './rule-match-sql.js';
import { listSql } from './sql-dialect.js';

/**
 * Athena over the WAF logs where WAF's direct S3 delivery writes them
 * (`AWSLogs/<account>/WAFLogs/<region>/<web-acl>/YYYY/MM/DD/HH/mm/*.log.gz`): a table over the raw
 * records with partition projection on account, region, web ACL and day (as AWS documents for WAF
 * logs, so that no partition is ever added), and a view named `events` with the events columns,
 * computed by the same SQL normalization and request signals as the local reader
 * (normalize-sql.ts, compiled from the signal definitions) and the rule attribution in SQL
 * (rule-match-sql.ts). queries/*.sql run on that view unchanged.
 */

export interface RawLogsLocation {
  bucket: string;
  /** The key prefix before `AWSLogs/` ('' or ending in '/'). */
  prefix: string;
  accounts: string[];
  regions: string[];
  webAcls: string[];
}

const PART = /^[A-Za-z0-9_.-]+$/;

/**
 * `s3://bucket[/prefix]/AWSLogs[/<account>[/WAFLogs/<region>[/<web-acl>]]]`; the levels the URL
 * leaves open come from the lists given (every account, region and web ACL logging there).
 */
export function parseLogsUrl(
  url: string,
  given: { accounts?: string[]; regions?: string[]; webAcls?: string[] } = {},
): RawLogsLocation {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(url);
  if (!m) throw new Error(`--logs ${url}: expected s3://bucket/.../AWSLogs/...`);
  const [, bucket = '', key = ''] = m;
  const at = key.indexOf('AWSLogs/');
  if (at === -1 && !key.endsWith('AWSLogs')) throw new Error(`--logs ${url}: the path must reach AWSLogs/`);
  const prefix = at === -1 ? key.slice(0, -'AWSLogs'.length) : key.slice(0, at);
  const rest = (at === -1 ? '' : key.slice(at + 'AWSLogs/'.length)).split('/').filter((p) => p !== '');
  const [account, waflogs, region, webAcl] = rest;
  if (waflogs !== undefined && waflogs !== 'WAFLogs')
    throw new Error(`--logs ${url}: expected AWSLogs/<account>/WAFLogs/...`);
  const pick = (fixed: string | undefined, list: string[] | undefined, what: string) => {
    const values = fixed !== undefined ? [fixed] : (list ?? []);
    if (values.length === 0)
      throw new Error(`--logs ${url}: name the ${what} in the path or with --${what}s`);
    for (const v of values) if (!PART.test(v)) throw new Error(`${what} "${v}": letters, digits, . _ - only`);
    return values;
  };
  return {
    bucket,
    prefix,
    accounts: pick(account, given.accounts, 'account'),
    regions: pick(region, given.regions, 'region'),
    webAcls: pick(webAcl, given.webAcls, 'web-acl'),
  };
}

const MD =
  'array<struct<conditiontype:string,sensitivitylevel:string,location:string,matcheddata:array<string>>>';
const RULE = `struct<ruleid:string,action:string,overriddenaction:string,rulematchdetails:${MD}>`;

/** The raw table's columns: AWS's documented WAF log table, with the fields waftune reads. */
export const RAW_TABLE_COLUMNS: ReadonlyArray<[string, string]> = [
  ['timestamp', 'bigint'],
  ['formatversion', 'int'],
  ['webaclid', 'string'],
  ['terminatingruleid', 'string'],
  ['terminatingruletype', 'string'],
  ['action', 'string'],
  ['terminatingrulematchdetails', MD],
  ['httpsourcename', 'string'],
  ['httpsourceid', 'string'],
  [
    'rulegrouplist',
    `array<struct<rulegroupid:string,terminatingrule:${RULE},nonterminatingmatchingrules:array<${RULE}>,excludedrules:array<struct<exclusiontype:string,ruleid:string>>>>`,
  ],
  ['ratebasedrulelist', 'array<struct<ratebasedruleid:string,limitkey:string,maxrateallowed:int>>'],
  ['nonterminatingmatchingrules', `array<${RULE}>`],
  ['responsecodesent', 'string'],
  [
    'httprequest',
    'struct<clientip:string,country:string,headers:array<struct<name:string,value:string>>,uri:string,args:string,httpversion:string,httpmethod:string,requestid:string,fragment:string,scheme:string,host:string>',
  ],
  ['labels', 'array<struct<name:string>>'],
  ['ja3fingerprint', 'string'],
  ['ja4fingerprint', 'string'],
  ['requestbodysize', 'bigint'],
  ['requestbodysizeinspectedbywaf', 'bigint'],
  ['clientasn', 'string'],
];

export const RAW_TABLE = 'waf_raw_logs';

/** CREATE EXTERNAL TABLE over the direct-delivery layout, partitions projected, never added. */
export function rawTableDdl(loc: RawLogsLocation, firstDay: string, table = RAW_TABLE): string {
  if (!/^\d{4}\/\d{2}\/\d{2}$/.test(firstDay)) throw new Error(`first day ${firstDay}: expected YYYY/MM/DD`);
  const root = `s3://${loc.bucket}/${loc.prefix}AWSLogs`;
  const list = (values: string[]) => sqlString(values.join(','));
  return `CREATE EXTERNAL TABLE IF NOT EXISTS \`${table}\` (
  ${RAW_TABLE_COLUMNS.map(([n, t]) => `\`${n}\` ${t}`).join(',\n  ')}
)
PARTITIONED BY (\`account\` string, \`region\` string, \`webacl\` string, \`day\` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION ${sqlString(`${root}/`)}
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.account.type' = 'enum',
  'projection.account.values' = ${list(loc.accounts)},
  'projection.region.type' = 'enum',
  'projection.region.values' = ${list(loc.regions)},
  'projection.webacl.type' = 'enum',
  'projection.webacl.values' = ${list(loc.webAcls)},
  'projection.day.type' = 'date',
  'projection.day.range' = ${sqlString(`${firstDay},NOW`)},
  'projection.day.format' = 'yyyy/MM/dd',
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'storage.location.template' = ${sqlString(`${root}/\${account}/WAFLogs/\${region}/\${webacl}/\${day}/`)}
)`;
}

/**
 * The raw table's columns as normalize-sql's RAW_INPUT, plus the raw rule columns. `dt` comes from
 * the partition (the delivery folder's day), so that the queries' `dt BETWEEN` prunes days.
 */
function rawInput(d: SqlDialect, table: string): string {
  const L = listSql(d);
  return `(
  SELECT *,
    "timestamp" AS ts,
    webaclid AS webacl_id,
    terminatingruletype AS terminating_rule_type,
    httpsourcename AS http_source_name,
    httprequest.clientip AS client_ip,
    ${ipv4IntSql('httprequest.clientip')} AS client_ip4,
    httprequest.country AS country,
    httprequest.uri AS uri,
    httprequest.args AS args,
    httprequest.httpmethod AS http_method,
    httprequest.requestid AS request_id,
    httprequest.host AS req_host,
    httprequest.headers AS headers,
    ${L.transform('labels', 'l -> l.name')} AS label_names,
    ja3fingerprint AS ja3,
    ja4fingerprint AS ja4,
    requestbodysize AS body_size,
    requestbodysizeinspectedbywaf AS body_inspected,
    clientasn AS asn,
    TRY_CAST(responsecodesent AS BIGINT) AS response_code
  FROM ${table}
)`;
}

/** ipv4ToInt in SQL: the address as an integer when it is exactly a dotted quad, else null. */
function ipv4IntSql(x: string): string {
  const part = (i: number) => `CAST(split_part(${x}, '.', ${i}) AS BIGINT)`;
  return `CASE WHEN regexp_like(${x}, ${sqlString(emitPattern(IPV4_TEXT, 'sql'))}) THEN ${part(1)} * 16777216 + ${part(2)} * 65536 + ${part(3)} * 256 + ${part(4)} END`;
}

/**
 * publishedCdnOf in SQL, from the ranges shipped when the view was made (run \`athena setup\` again
 * after \`cdn-ranges update\`): IPv4 by integer ranges on both engines; IPv6 by Trino's own
 * \`contains\` (an IPv4-mapped address matches the IPv4 ranges there too). DuckDB, which only runs
 * this SQL in tests, has no IP type: IPv6 addresses read null there.
 */
function clientCdnSql(d: SqlDialect): string {
  const sets = publishedSets();
  const v4 = sets
    .filter(([, set]) => set.ipv4Ranges().length > 0)
    .map(
      ([cdn, set]) =>
        `WHEN ${set
          .ipv4Ranges()
          .map(([a, b]) => `client_ip4 BETWEEN ${a} AND ${b}`)
          .join(' OR ')} THEN ${sqlString(cdn)}`,
    );
  const v6 =
    d === 'trino'
      ? sets.map(
          ([cdn, set]) =>
            `WHEN strpos(client_ip, ':') > 0 AND TRY_CAST(client_ip AS IPADDRESS) IS NOT NULL AND any_match(ARRAY[${set.cidrs.map(sqlString).join(', ')}], c -> contains(c, CAST(client_ip AS IPADDRESS))) THEN ${sqlString(cdn)}`,
        )
      : [];
  return `CASE ${[...v4, ...v6].join(' ')} END`;
}

/** The SELECT of the events view over a raw-records relation with the raw table's columns. */
export function rawEventsSelect(d: SqlDialect, table: string): string {
  const L = listSql(d);
  const { term_group, counted_all } = ruleColumnsSql(d);
  // counted_all reads term_group: one level each.
  const attributed = `(SELECT *, ${counted_all} AS counted_all FROM (SELECT *, ${term_group} AS term_group FROM ${rawInput(d, table)}))`;
  const terminated = `(terminatingruleid <> '' AND terminatingruleid <> 'Default_Action')`;
  const details = `CASE WHEN ${terminated} THEN CASE WHEN cardinality(coalesce(terminatingrulematchdetails, ARRAY[])) > 0 THEN terminatingrulematchdetails ELSE term_group.terminatingrule.rulematchdetails END END`;
  const tokens = `flatten(${L.transform(`coalesce(${details}, ARRAY[])`, `m -> ${L.filter('coalesce(m.matcheddata, ARRAY[])', 't -> t IS NOT NULL')}`)})`;
  const orNull = (x: string) => `CASE WHEN ${x} IS NULL OR ${x} = '' THEN NULL ELSE ${cutSql(x, 4096)} END`;
  const rules = {
    ...ruleEventColumnsSql(d),
    condition_type: orNull(`${L.first(`coalesce(${details}, ARRAY[])`)}.conditiontype`),
    match_location: orNull(`${L.first(`coalesce(${details}, ARRAY[])`)}.location`),
    matched_data: `CASE WHEN cardinality(${tokens}) > 0 THEN ${cutSql(`array_join(${tokens}, ' ')`, 512)} END`,
  };
  return normalizeSql({
    dialect: d,
    source: attributed,
    rules,
    dt: "replace(day, '/', '-')",
    clientCdn: clientCdnSql(d),
  });
}

/** CREATE OR REPLACE VIEW events over the raw table (Trino, for Athena). */
export function rawEventsViewDdl(table = RAW_TABLE): string {
  return `CREATE OR REPLACE VIEW events AS\n${rawEventsSelect('trino', table)}`;
}
