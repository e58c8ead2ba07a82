import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WafEvent, WEBHOOK_SIGNATURE_HEADERS } from '../../schemas/event.js';
import type { BlockedGroupRow, IpProfileRow } from '../../src/analyze/query-rows.js';
import { trustedFronts } from '../../src/analyze/trusted-proxies.js';
import { windowParams } from '../../src/analyze/window.js';
import { classifyRequest } from '../../src/classify/classify.js';
import { CALLBACK_QUERY } from '../../src/classify/wordpress-paths.js';
import { DuckDbEngine } from '../../src/engines/duckdb.js';
import { queriesDir } from '../../src/engines/sql-files.js';
import { eventFixture } from '../support/events.js';

const T0 = Date.UTC(2026, 10, 20, 8);
const CDN_ACL = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/behind-cf/1';
const DIRECT_ACL = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/direct/2';
const CF_EDGE = '130.176.1.20';
/** A CDN that publishes nothing waftune ships: its traffic shows it is a front. */
const OTHER_CDN = '198.51.100.200';
const ATTACKER = '203.0.113.66';
const UAS = ['Firefox/1', 'Chrome/2', 'Safari/3', 'Edge/4', 'Opera/5', 'Brave/6'];

function events() {
  const out: WafEvent[] = [];
  let n = 0;
  const add = (o: Parameters<typeof eventFixture>[0]) =>
    out.push(classifyRequest(eventFixture({ ts: T0 + n++ * 1000, ...o })));
  // Shoppers through CloudFront (a published edge) and through a CDN that publishes nothing: allowed
  // requests the logging filter keeps too (their session cookie is labelled), as proxy-likeness
  // counts only those.
  for (let i = 0; i < 12; i++) {
    const ok = {
      action: 'ALLOW',
      rule_action: null,
      rule_id: null,
      rule_group: null,
      user_agent: UAS[i % 6] ?? null,
      session_cookies: ['wp_woocommerce_session_'],
    };
    add({
      ...ok,
      web_acl_arn: CDN_ACL,
      client_ip: CF_EDGE,
      client_cdn: 'cloudfront',
      forwarded_ip: `192.0.2.${i + 1}`,
    });
    add({ ...ok, web_acl_arn: CDN_ACL, client_ip: OTHER_CDN, forwarded_ip: `192.0.2.${i + 100}` });
  }
  // The attacker through both CDNs (forging a left-hand entry does not matter: normalize kept the
  // right-most), and once directly on another ACL.
  const probe = { path: '/.env', method: 'GET', rule_id: 'GenericLFI_URIPATH' };
  add({
    ...probe,
    web_acl_arn: CDN_ACL,
    client_ip: CF_EDGE,
    client_cdn: 'cloudfront',
    forwarded_ip: ATTACKER,
  });
  add({ ...probe, web_acl_arn: CDN_ACL, client_ip: OTHER_CDN, forwarded_ip: ATTACKER });
  add({ ...probe, web_acl_arn: DIRECT_ACL, client_ip: ATTACKER });
  // A direct client forging X-Forwarded-For: it is no edge, so its forged address means nothing.
  add({ ...probe, web_acl_arn: DIRECT_ACL, client_ip: '203.0.113.77', forwarded_ip: '192.0.2.1' });
  // An edge's own request without a forwarded address stays the edge's.
  add({ ...probe, web_acl_arn: CDN_ACL, client_ip: CF_EDGE, client_cdn: 'cloudfront' });
  add({ ...probe, web_acl_arn: CDN_ACL, client_ip: OTHER_CDN });
  return out;
}

async function query(engine: DuckDbEngine, trusted: readonly string[]) {
  const window = { fromTs: T0 - 1, toTs: T0 + 3_600_000 };
  const params = { ...windowParams(window), ...(await trustedFronts(engine, window, trusted)).params };
  const groups = (
    await engine.run<BlockedGroupRow & Record<string, unknown>>('blocked_groups', {
      ...params,
      origin_ts: T0 - 1,
      bucket_ms: 3_600_000,
    })
  ).rows;
  const ips = new Map(
    (await engine.run<IpProfileRow & Record<string, unknown>>('ip_profile', params)).rows.map((r) => [
      r.client_ip,
      r,
    ]),
  );
  return { groups, ips };
}

describe('clients behind a CDN in queries/', () => {
  let engine: DuckDbEngine;
  let groups: BlockedGroupRow[];
  let ips: Map<string, IpProfileRow>;
  beforeAll(async () => {
    engine = await DuckDbEngine.create();
    await engine.loadEvents(events());
    ({ groups, ips } = await query(engine, []));
  });
  afterAll(() => engine.close());

  it('take the forwarded client where clientIp is a CDN edge, published or shown by its traffic', () => {
    const attacker = groups.filter((g) => g.client_ip === ATTACKER);
    expect(attacker.map((g) => [g.web_acl_arn, g.via_edge, g.via_proxy, g.requests]).sort()).toEqual([
      [CDN_ACL, true, null, 1],
      [CDN_ACL, true, OTHER_CDN, 1],
      [DIRECT_ACL, false, null, 1],
    ]);
    // Its own profile: what both fronts carried and its own connection, and every web ACL where
    // it came through a front, so that its block matches X-Forwarded-For there.
    expect(ips.get(ATTACKER)).toMatchObject({
      requests: 3,
      sites: 1,
      edge_kind: null,
      cdn_web_acls: [CDN_ACL],
    });
  });

  it('say what a front only its traffic shows is, and never take it for its clients', () => {
    // The front nobody vouches for is named on the rows it carried (via_proxy), so that the many
    // forwarded values one connection could write count as one independent source (fleet.ts).
    expect(ips.get(OTHER_CDN)).toMatchObject({ requests: 1, edge_kind: 'forwarding' });
    expect([...ips.keys()].some((k) => k.includes(' via '))).toBe(false);
  });

  it('keep a direct client with a forged X-Forwarded-For as itself', () => {
    expect(groups.find((g) => g.client_ip === '203.0.113.77')).toMatchObject({
      via_edge: false,
      via_proxy: null,
      forwarded_ip: '192.0.2.1',
    });
    expect(ips.has('192.0.2.1')).toBe(false);
    // Its forged value sits on an attack, so it is no sign of clients behind it.
    expect(ips.get('203.0.113.77')).toMatchObject({ cdn_web_acls: null, forwarded_clients: 0 });
  });

  it('say when an address is itself an edge, from the published ranges', () => {
    expect(ips.get(CF_EDGE)).toMatchObject({ edge_kind: 'cloudfront', requests: 1 });
  });

  it('trust a configured proxy as they trust a published edge', async () => {
    const configured = await query(engine, ['198.51.100.0/24']);
    expect(
      configured.groups
        .filter((g) => g.client_ip === ATTACKER)
        .map((g) => [g.web_acl_arn, g.via_edge, g.requests])
        // Queries return rows in no particular order.
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(
      [
        [CDN_ACL, true, 2],
        [DIRECT_ACL, false, 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(configured.ips.get(ATTACKER)).toMatchObject({ requests: 3, cdn_web_acls: [CDN_ACL] });
    expect(configured.ips.get(OTHER_CDN)).toMatchObject({ edge_kind: 'configured' });
    expect([...configured.ips.keys()].some((k) => k.includes(' via '))).toBe(false);
  });

  it('hold one definition of a front and of a webhook signature in every query', () => {
    const profile = readFileSync(join(queriesDir(), 'ip_profile.sql'), 'utf8');
    const groups = readFileSync(join(queriesDir(), 'blocked_groups.sql'), 'utf8');
    const fronts = (text: string) => /fronts AS \([\s\S]*?\n\)/.exec(text)?.[0];
    expect(fronts(profile)).toBeDefined();
    expect(fronts(profile)).toBe(fronts(groups));
    const hop = (text: string) => /CASE\n {6}WHEN w\.forwarded_ip IS NULL[\s\S]*?END AS hop/.exec(text)?.[0];
    expect(hop(profile)).toBeDefined();
    expect(hop(profile)).toBe(hop(groups));
    const client = (text: string) => /CASE hop\n[\s\S]*?END AS client/.exec(text)?.[0].replace(/\s+/g, ' ');
    expect(client(profile)).toBeDefined();
    expect(client(profile)).toBe(client(groups));
    const listed = /known_headers, ARRAY\[([^\]]*)\]/
      .exec(profile)?.[1]
      ?.match(/'[^']+'/g)
      ?.map((s) => s.slice(1, -1));
    expect(listed).toEqual([...WEBHOOK_SIGNATURE_HEADERS]);
  });
});

describe('one definition of a callback', () => {
  it('in the queries and in the classifier', () => {
    const profile = readFileSync(join(queriesDir(), 'ip_profile.sql'), 'utf8');
    const pattern = /regexp_like\(c\.query, '([^']+)'\)\s*\) AS callback_requests/.exec(profile)?.[1];
    expect(pattern).toBe(CALLBACK_QUERY.source);
  });
});
