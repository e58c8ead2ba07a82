import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Condition, compileSql, compileTs } from '../../src/classify/condition.js';
import { cutCodePoints, lowerAscii, percentDecode, upperAscii } from '../../src/classify/fold.js';
import { emitPattern, type Pattern, PatternError, pattern, toRegExp } from '../../src/classify/pattern.js';
import type { EventView } from '../../src/classify/signal.js';
import { REQUEST_SIGNALS } from '../../src/classify/signals.js';
import { cutSql, DECODABLE, decodeSql, lowerSql, trimSql, upperSql } from '../../src/classify/sql-fold.js';
import { WEB_ACL_ARN } from '../../src/ingest/web-acl-arn.js';
import { DuckEval, TRAPS } from '../support/duckdb-eval.js';

/**
 * One definition, two backends: every pattern and text normalisation compiled to JavaScript and to
 * SQL gives the same answer on DuckDB (RE2) for the same text, Unicode traps included. The Trino
 * text is the same regex text (\A, \z, \x{..} escapes, explicit classes), checked here to use only
 * what Java/Joni read the same way.
 */

let duck: DuckEval;
beforeAll(async () => {
  duck = await DuckEval.create();
});
afterAll(() => duck.close());

function patternsOf(c: Condition, out: Pattern[] = []): Pattern[] {
  if ('all' in c) for (const x of c.all) patternsOf(x, out);
  else if ('any' in c) for (const x of c.any) patternsOf(x, out);
  else if ('not' in c) patternsOf(c.not, out);
  else if ('matches' in c) out.push(c.matches);
  return out;
}

const PATTERNS: Pattern[] = [
  ...new Set(REQUEST_SIGNALS.flatMap((s) => patternsOf(s.when))),
  DECODABLE,
  WEB_ACL_ARN,
];

/** Text from the traps, the patterns' own ASCII and percent escapes, mixed. */
const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.:=\'"<>()*+%&?_-${}\\#;,!@~';
const piece = fc.oneof(
  fc.constantFrom(...TRAPS),
  fc.constantFrom(...ASCII.split('')),
  fc.constantFrom(
    'union',
    'select',
    'SELECT',
    ' or 1=1',
    '../',
    '%2e%2e%2f',
    '%FF',
    '%zz',
    '%C0%AE',
    '%ED%A0%80',
    '%F0%9F%98%80',
    '%e2%80%a8',
    '+',
    'script',
    '<',
    'wp-config.php',
    '.env',
    'wp-content/uploads/',
    '.php',
    'sqlmap',
    'curl',
    'python-requests',
    'rest_route=',
    'wc-ajax=',
    'arn:aws:wafv2:eu-west-1:1:regional/webacl/a/b',
    '_BODY',
    'SQLi_QUERYARGUMENTS',
    'KnownBadInputsRuleSet',
  ),
);
const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));

async function samples(extra: string[] = []): Promise<string[]> {
  return [
    ...fc.sample(text, { numRuns: 1500, seed: 11 }),
    ...extra,
    '',
    'union\u000bselect',
    'UNION\u00a0SELECT',
    'union\u2003select',
    '\u017fcript',
    '<\u017fcript',
    '/wp-content/uploads/a\r.php',
    '/wp-content/uploads/a\n.php',
    '/wp-content/uploads/a\u2028.php',
    '/.env\u212a',
    '/.ENV',
    '/.env\n',
    'curl\n',
    '\u00a0curl/8',
    '\u2028python-requests',
  ];
}

describe('the pattern language', () => {
  it('refuses what the engines read differently', () => {
    for (const bad of ['a.b', '\\bword', '(?i)x', '\\1', '(?=x)', 'a*?', 'é', '[a-\\s]', 'x{2,1}']) {
      expect(() => pattern(bad), bad).toThrow(PatternError);
    }
  });

  it('compiles to SQL text with nothing but \\A, \\z, \\x{..} escapes and explicit classes', () => {
    for (const p of PATTERNS) {
      const sql = emitPattern(p, 'sql');
      // No shorthand class, no bare dot, no bare ^ or $ outside a class, no inline flags.
      expect(sql, p.source).not.toMatch(/\\[sdwbSDWB]|\(\?[a-z]|(^|[^\\[])[.$]/);
    }
  });

  it('every signal pattern matches the same texts in JavaScript and in DuckDB (RE2)', async () => {
    const values = await samples();
    for (const p of PATTERNS) {
      const re = toRegExp(p);
      const sql = emitPattern(p, 'sql');
      const got = await duck.strings(values, `regexp_matches(v, '${sql.replaceAll("'", "''")}')`);
      const want = values.map((v) => re.test(v));
      const diff = values.filter((_, i) => got[i] !== want[i]);
      expect(diff, p.source).toEqual([]);
    }
  });
});

describe('text normalisations: TypeScript and SQL agree', () => {
  it('ASCII case folding (DuckDB and Trino forms), trim, code-point cuts', async () => {
    const values = await samples(['İSTANBUL', 'straße', 'Ǆ', 'ſ', '\u212a', 'ÀÉÎ', 'ABC\u{1f600}DEF']);
    const checks: Array<[string, (s: string) => unknown]> = [
      [lowerSql('v', 'duckdb'), lowerAscii],
      [lowerSql('v', 'trino'), lowerAscii],
      [upperSql('v', 'duckdb'), upperAscii],
      [upperSql('v', 'trino'), upperAscii],
      [trimSql('v', 'duckdb'), (s) => s.trim()],
      [cutSql('v', 5), (s) => cutCodePoints(s, 5)],
    ];
    for (const [sql, ts] of checks) {
      const got = await duck.strings(values, sql);
      const diff = values.filter((v, i) => got[i] !== ts(v));
      expect(diff, sql.slice(0, 80)).toEqual([]);
    }
  });

  it('percent-decoding: url_decode only where decodeURIComponent would succeed', async () => {
    const values = await samples(['%41%42', '%e9', '%c3%a9', 'a+b%2Bc', '%', '%4', '%G1', '%f4%90%80%80']);
    const got = await duck.strings(values, decodeSql('v'));
    const diff = values.filter((v, i) => got[i] !== percentDecode(v));
    expect(diff).toEqual([]);
  });
});

describe('request signals: the TypeScript predicate and the SQL expression agree', () => {
  const FIRING: EventView = {
    host: 'h',
    client_ip: '1',
    method: 'POST',
    path: '/wp-admin/async-upload.php',
    query: 'wc-ajax=checkout',
    rule_action: 'BLOCK',
    rule_group: 'AWS#AWSManagedRulesCommonRuleSet',
    rule_id: 'SizeRestrictions_BODY',
    terminating_rule_type: 'RATE_BASED',
    labels: ['awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList'],
    condition_type: null,
    match_location: null,
    matched_data: null,
    user_agent: 'curl/8',
    cookie_names: ['wordpress_logged_in_1'],
    wp_session: true,
    cookie_redacted: false,
    auth_scheme: null,
    known_headers: [],
  };
  const FIELDS = [
    'rule_id',
    'rule_group',
    'user_agent',
    'path',
    'query',
    'method',
    'terminating_rule_type',
  ] as const;

  it('on generated values of each field (the others set so that signals can fire), and on nulls', async () => {
    const values = await samples([
      'SizeRestrictions_BODY',
      'CrossSiteScripting_BODY',
      'SQLi_QUERYARGUMENTS',
      'GET',
      'RATE_BASED',
      '/wp-admin/post.php',
      '/wp-admin/admin-ajax.php',
      '/wp-json/wp/v2/media',
      '/wp-comments-post.php',
      'rest_route=/wp/v2/posts/1',
      'rest_route=%2Fwp%2Fv2%2Fpages',
      '/checkout/',
      'wc-api=wc_stripe',
      'a=1&for=jetpack',
      'for=jetpack&x',
      '/wp-admin/upload.php',
      '/wp-admin/x/upload.php',
      '/wp-content/plugins/x/shell.php',
      '/a\n/shell.php',
      '/WP-ADMIN/upload.php',
    ]);
    const events: EventView[] = [];
    for (const field of FIELDS) for (const v of values) events.push({ ...FIRING, [field]: v });
    for (const field of FIELDS) events.push({ ...FIRING, [field]: null } as unknown as EventView);
    events.push(
      { ...FIRING, cookie_names: [], wp_session: false },
      { ...FIRING, cookie_redacted: true, cookie_names: [] },
    );
    for (const s of REQUEST_SIGNALS) {
      const got = await duck.events(events, compileSql(s.when));
      const ts = compileTs(s.when);
      const diff = events.filter((e, i) => got[i] !== ts(e));
      expect(diff.slice(0, 3), s.id).toEqual([]);
    }
  });
});
