import fc from 'fast-check';
import { TRAPS } from './duckdb-eval.js';
import { type Json, wafRecord } from './waf-records.js';

/**
 * Records for issue 10's event columns in the differential tests: X-Forwarded-For entries (IPv4,
 * IPv6, near misses, Unicode traps), Authorization schemes (redacted, labelled), the identifying
 * headers, session cookies and their evidence labels, and client addresses inside and around the
 * published CDN ranges.
 */

const CLIENTS = [
  '198.51.100.23',
  '3.10.17.129', // CloudFront
  '216.137.63.255', // CloudFront, the end of a range
  '173.245.48.1', // Cloudflare
  '23.235.32.9', // Fastly
  '2001:3fc6:20::1', // CloudFront IPv6
  '2400:cb00::7', // Cloudflare IPv6
  '::ffff:3.10.17.130', // IPv4-mapped CloudFront
  '2001:db8::1',
  '003.10.17.129',
];

/** Text that looks like an address, or nearly. */
const ipish = fc
  .array(
    fc.constantFrom(
      '1',
      '0',
      '255',
      '256',
      '01',
      '.',
      ':',
      '::',
      'ffff',
      'FFFF',
      'a',
      '%',
      '0x1',
      ' ',
      '\u00a0',
      '1.2.3.4',
    ),
    { maxLength: 10 },
  )
  .map((p) => p.join(''));

const XFF_FIXED = [
  '203.0.113.7',
  '10.0.0.1, 203.0.113.7',
  ' 10.0.0.1 ,\u2003203.0.113.8\u00a0',
  '2001:DB8::A',
  '::ffff:1.2.3.4',
  '1:2:3:4:5:6:7:8',
  '1::2::3',
  'fe80::1%eth0',
  '203.0.113.7:443',
  '[2001:db8::1]',
  '01.2.3.4',
  '1.2.3.4,',
  '',
  'unknown',
];

const AUTH = [
  'Basic dXNlcjpwYXNz',
  'bEaReR abc',
  '\u2028  Token x',
  'REDACTED',
  'Negotiate',
  'AWS4-HMAC-SHA256 Credential=x',
  'to\u212aen x', // Kelvin sign: not ASCII `k`
  'Basic\u000bx',
  '',
  'weird',
];

const LABELS = [
  'awswaf:111122223333:webacl:wp-fleet:waftune:auth-basic',
  'awswaf:111122223333:webacl:wp-fleet:waftune:auth-bearer',
  'awswaf:111122223333:webacl:wp-fleet:waftune:woo-session',
  'awswaf:111122223333:webacl:wp-fleet:waftune:wp-commenter',
  'awswaf:managed:x:waftune:woo-session',
  'awswaf:111122223333:webacl:wp-fleet:waftune:wp-logged-in\n',
];

const KNOWN = ['Stripe-Signature', 'X-WP-Nonce', 'x-wp-nonce', 'X-GITLAB-TO\u212aEN', 'X-Hub-Signature-256'];

/** `count` records; `over` adds top-level fields (a rule that matched, say) to every one. */
export function headerRecords(count: number, seed: number, over: Json = {}): Json[] {
  const texts = fc.sample(fc.oneof(ipish, fc.constantFrom(...TRAPS), fc.constantFrom(...XFF_FIXED)), {
    numRuns: count,
    seed,
  });
  return texts.map((t, i) => {
    const headers: Json[] = [{ name: 'Host', value: 'shop.example.com' }];
    if (i % 5 !== 0) headers.push({ name: i % 2 ? 'X-Forwarded-For' : 'x-forwarded-for', value: `${t}` });
    if (i % 3 === 0) headers.push({ name: 'X-Forwarded-For', value: `192.0.2.1, ${t}` });
    if (i % 4 !== 1) headers.push({ name: 'Authorization', value: AUTH[i % AUTH.length] ?? '' });
    if (i % 7 === 0) headers.push({ name: 'authorization', value: `${t} x` });
    headers.push({ name: KNOWN[i % KNOWN.length] ?? 'x', value: t });
    if (i % 2 === 0) headers.push({ name: KNOWN[(i + 1) % KNOWN.length] ?? 'x', value: '1' });
    headers.push({
      name: 'Cookie',
      value:
        i % 6 === 0
          ? 'REDACTED'
          : ['x=1; wp_woocommerce_session_1=2', 'comment_author_abc=1', `a=${t}wordpress_logged_in_`, ''][
              i % 4
            ],
    });
    return wafRecord(
      {
        timestamp: Date.UTC(2026, 10, 20, 11, 0) + i,
        labels:
          i % 3 === 0 ? [] : [{ name: LABELS[i % LABELS.length] }, { name: LABELS[(i + 2) % LABELS.length] }],
        ...over,
      },
      { clientIp: CLIENTS[i % CLIENTS.length], headers, uri: `/p${i}` },
    );
  });
}
