import { EVENT_COLUMNS } from '../../schemas/event.js';
import { sqlString } from '../classify/sql-fold.js';
import { normalizeSql, WANTED_HEADERS } from './normalize-sql.js';

/**
 * The local reader's one DuckDB statement per batch of files (src/analyze/fast-load.ts): read_json
 * with an explicit schema over the decompressed records, each carrying its line number under a key
 * of this run's choosing. A record is `simple` when no rule matched it (ALLOW, `Default_Action`,
 * nothing terminating, counted or excluded in any group) and every field has the type the zod
 * schema wants; those get the SQL normalization and signals (normalize-sql.ts). Every other record
 * (kind 1) is only listed by file and line, for the exact reader.
 *
 * DuckDB turns a JSON number, boolean or object into text when the column is VARCHAR, so a string
 * field whose text could have been such a value is not trusted here (the exact reader, whose zod
 * schema sees the JSON types, decides); header values are read as JSON, where the quotes show.
 */

/**
 * Text that DuckDB may have made from a non-string JSON value. The first character decides most
 * texts at the cost of an integer test (- 0-9 [ { f t), the full check runs only on the rest.
 */
const maybeNotString = (x: string) =>
  `(CASE WHEN ascii(${x}) IN (45, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 91, 102, 116, 123) THEN ${x} IN ('true', 'false') OR starts_with(${x}, '{') OR starts_with(${x}, '[') OR regexp_full_match(${x}, '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?') ELSE FALSE END)`;
const okString = (x: string) => `(${x} IS NULL OR NOT ${maybeNotString(x)})`;
const okRequired = (x: string) => `(${x} IS NOT NULL AND NOT ${maybeNotString(x)})`;
/**
 * The same inside a lambda, without a regex (DuckDB compiles a regex in a lambda again for every
 * element): any text that starts like a number, array or object, or is true or false.
 */
const okRequiredInList = (x: string) =>
  `(${x} IS NOT NULL AND NOT (ascii(${x}) IN (45, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 91, 123) OR ${x} IN ('true', 'false')))`;
const emptyJson = (x: string) => `(${x} IS NULL OR ${x} = '[]')`;
/** A JSON integer that JavaScript holds exactly and whose String() is the same text. */
const INT = "'0|-?[1-9][0-9]{0,14}'";
const okInt = (x: string) => `(${x} IS NULL OR regexp_full_match(${x}, ${INT}))`;
const okNumber = (x: string) =>
  `(${x} IS NULL OR regexp_full_match(${x}, '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?'))`;
/** A JSON string's value from its JSON text. */
const jsonText = (x: string) =>
  `CASE WHEN strpos(${x}, '\\') = 0 THEN substr(${x}, 2, length(${x}) - 2) ELSE json_extract_string(${x}, '$') END`;

/**
 * DuckDB sizes its read buffers by the largest record it accepts, so a 16 MB limit costs memory a
 * batch does not have; Firehose caps a record at 1,000 KiB. A longer record fails the batch's
 * statement and its file goes to the exact reader, which takes lines up to MAX_LINE_BYTES.
 */
const MAX_STAGED_RECORD = 2 * 1024 * 1024;

export function readColumns(lineKey: string): string {
  const cols: Record<string, string> = {
    [lineKey]: 'UBIGINT',
    timestamp: 'JSON',
    formatVersion: 'JSON',
    webaclId: 'VARCHAR',
    terminatingRuleId: 'VARCHAR',
    terminatingRuleType: 'VARCHAR',
    action: 'VARCHAR',
    terminatingRuleMatchDetails: 'JSON',
    httpSourceName: 'VARCHAR',
    httpSourceId: 'VARCHAR',
    ruleGroupList:
      'STRUCT(ruleGroupId VARCHAR, terminatingRule JSON, nonTerminatingMatchingRules JSON, excludedRules JSON)[]',
    rateBasedRuleList: 'JSON',
    nonTerminatingMatchingRules: 'JSON',
    responseCodeSent: 'JSON',
    httpRequest:
      'STRUCT(clientIp VARCHAR, country VARCHAR, headers STRUCT(name VARCHAR, value JSON)[], uri VARCHAR, args VARCHAR, httpVersion VARCHAR, httpMethod VARCHAR, requestId VARCHAR, fragment VARCHAR, scheme VARCHAR, host VARCHAR)',
    labels: 'STRUCT(name VARCHAR)[]',
    ja3Fingerprint: 'VARCHAR',
    ja4Fingerprint: 'VARCHAR',
    oversizeFields: 'JSON',
    requestBodySize: 'JSON',
    requestBodySizeInspectedByWAF: 'JSON',
    clientAsn: 'JSON',
  };
  return `{${Object.entries(cols)
    .map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`)
    .join(', ')}}`;
}

export const SIMPLE_PARTS = [
  `regexp_full_match(timestamp, '[0-9]{1,15}') AND CAST(timestamp AS BIGINT) < 253402300800000`,
  okNumber('formatVersion'),
  `webaclId <> ''`,
  okRequired('webaclId'),
  `terminatingRuleId = 'Default_Action'`,
  `action = 'ALLOW'`,
  okString('terminatingRuleType'),
  emptyJson('terminatingRuleMatchDetails'),
  okString('httpSourceName'),
  okString('httpSourceId'),
  `(ruleGroupList IS NULL OR coalesce(list_bool_and(list_transform(ruleGroupList, g -> g IS NOT NULL AND ${okRequiredInList('g.ruleGroupId')} AND g.terminatingRule IS NULL AND ${emptyJson('g.nonTerminatingMatchingRules')} AND ${emptyJson('g.excludedRules')})), TRUE))`,
  emptyJson('rateBasedRuleList'),
  emptyJson('nonTerminatingMatchingRules'),
  okInt('responseCodeSent'),
  'httpRequest IS NOT NULL',
  okRequired('httpRequest.clientIp'),
  // client_cdn is set afterwards from the stored (cut) address: only where the cut kept it whole.
  'length(httpRequest.clientIp) <= 64',
  okRequired('httpRequest.uri'),
  okRequired('httpRequest.httpMethod'),
  ...['country', 'args', 'httpVersion', 'requestId', 'fragment', 'scheme', 'host'].map((f) =>
    okString(`httpRequest.${f}`),
  ),
  `(httpRequest.headers IS NULL OR coalesce(list_bool_and(list_transform(httpRequest.headers, h -> h IS NOT NULL AND ${okRequiredInList('h.name')} AND (h.value IS NULL OR starts_with(h.value, '"')))), TRUE))`,
  `(labels IS NULL OR coalesce(list_bool_and(list_transform(labels, l -> l IS NOT NULL AND ${okRequiredInList('l.name')})), TRUE))`,
  okString('ja3Fingerprint'),
  okString('ja4Fingerprint'),
  emptyJson('oversizeFields'),
  okInt('requestBodySize'),
  okInt('requestBodySizeInspectedByWAF'),
  `(clientAsn IS NULL OR regexp_full_match(clientAsn, ${INT}) OR starts_with(clientAsn, '"'))`,
];
const SIMPLE = SIMPLE_PARTS.join('\n    AND ');

/**
 * `INSERT INTO <table>` of one batch: `files` are the decompressed files, `src` the number of each
 * (the same order). Simple records get every events column; the others only src, line and kind 1.
 */
export function loadBatchSql(
  table: string,
  files: readonly string[],
  srcs: readonly number[],
  lineKey: string,
): string {
  const names = EVENT_COLUMNS.map((c) => c.name).join(', ');
  return `INSERT INTO ${table} (src, line, kind, ${names})
SELECT src, line, CASE WHEN simple THEN 0 ELSE 1 END, ${names} FROM (
${normalizeSql({ dialect: 'duckdb', source: rawRows(files, srcs, lineKey), passthrough: ['src', 'line', 'simple'] })}
)`;
}

/** The batch's records as RAW_INPUT columns (normalize-sql.ts), with src, line and simple. */
export function rawRows(files: readonly string[], srcs: readonly number[], lineKey: string): string {
  if (!/^[a-z0-9_]+$/.test(lineKey)) throw new Error('line key must be [a-z0-9_]+');
  const list = `[${files.map(sqlString).join(', ')}]`;
  const srcOf = `CASE filename ${files.map((f, i) => `WHEN ${sqlString(f)} THEN ${srcs[i]}`).join(' ')} END`;
  // Every cast is a TRY_CAST: the records that are not simple pass through here too, unread.
  const raw = `(
  SELECT ${srcOf} AS src, CAST("${lineKey}" AS BIGINT) AS line,
    coalesce(${SIMPLE}, FALSE) AS simple,
    TRY_CAST(timestamp AS BIGINT) AS ts,
    webaclId AS webacl_id,
    terminatingRuleType AS terminating_rule_type,
    httpSourceName AS http_source_name,
    httpRequest.clientIp AS client_ip,
    httpRequest.country AS country,
    httpRequest.uri AS uri,
    httpRequest.args AS args,
    httpRequest.httpMethod AS http_method,
    httpRequest.requestId AS request_id,
    httpRequest.host AS req_host,
    list_transform(list_filter(httpRequest.headers, h -> lower(h.name) IN (${WANTED_HEADERS.map(sqlString).join(', ')})), h -> {'name': h.name, 'value': CASE WHEN starts_with(h.value, '"') THEN ${jsonText('h.value')} END}) AS headers,
    list_transform(labels, l -> l.name) AS label_names,
    ja3Fingerprint AS ja3,
    ja4Fingerprint AS ja4,
    TRY_CAST(requestBodySize AS BIGINT) AS body_size,
    TRY_CAST(requestBodySizeInspectedByWAF AS BIGINT) AS body_inspected,
    CASE WHEN starts_with(clientAsn, '"') THEN ${jsonText('clientAsn')} ELSE CAST(clientAsn AS VARCHAR) END AS asn,
    TRY_CAST(responseCodeSent AS BIGINT) AS response_code,
    action
  FROM read_json(${list}, format = 'newline_delimited', compression = 'uncompressed', filename = true,
    maximum_object_size = ${MAX_STAGED_RECORD}, columns = ${readColumns(lineKey)})
)`;
  return raw;
}
