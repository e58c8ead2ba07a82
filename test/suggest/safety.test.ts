import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../schemas/config.js';
import type { RuleOverride } from '../../schemas/suggestion.js';
import { SESSION_COOKIES } from '../../schemas/waftune-labels.js';
import { foldGroups } from '../../src/analyze/fleet.js';
import type { BlockedGroupRow, IpProfileRow } from '../../src/analyze/query-rows.js';
import { classifyRequest } from '../../src/classify/classify.js';
import { suggest } from '../../src/suggest/index.js';
import { eventFixture } from '../support/events.js';

const ACL = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/fleet-eu/abc';
const SESSION = ['wordpress_logged_in_1f', 'wordpress_sec_1f'];

/** A blocked-groups row as the query returns it, classified at request stage like the Lambda does. */
function row(
  over: Parameters<typeof eventFixture>[0] & { requests?: number; via_edge?: boolean; via_proxy?: string },
): BlockedGroupRow {
  const { requests = 1, via_edge = false, via_proxy = null, ...fields } = over;
  // As the normalization derives it: the tracked session cookies among the names sent.
  const session_cookies =
    fields.session_cookies ??
    SESSION_COOKIES.map((c) => c.cookie).filter((c) =>
      (fields.cookie_names ?? []).some((n) => n.includes(c)),
    );
  const e = classifyRequest(eventFixture({ web_acl_arn: ACL, method: 'POST', session_cookies, ...fields }));
  return {
    ...e,
    rule_action: e.rule_action ?? 'BLOCK',
    via_edge,
    via_proxy,
    requests,
    first_ts: e.ts,
    last_ts: e.ts,
    max_body_size: null,
  };
}

/** n rows, the i-th one's fields from `fields(i)`. */
const many = (n: number, fields: (i: number) => Parameters<typeof row>[0]) =>
  Array.from({ length: n }, (_, i) => row(fields(i)));

function profile(ip: string, over: Partial<IpProfileRow> = {}): IpProfileRow {
  return {
    client_ip: ip,
    requests: 20,
    blocked: 5,
    allowed_requests: 15,
    sites: 1,
    blocked_sites: 1,
    attack_requests: 0,
    attack_sites: 0,
    allowed_attack_requests: 0,
    allowed_attack_sites: 0,
    attack_signals: [],
    signature_sites: 0,
    hostile_requests: 0,
    admin_work: 0,
    session_requests: 0,
    auth_requests: 0,
    auth_reads_allowed: 0,
    callback_requests: 0,
    distinct_paths: 4,
    only_root_gets: false,
    web_acls: 1,
    user_agents: 1,
    sample_user_agent: null,
    edge_kind: null,
    cdn_web_acls: null,
    forwarded_clients: 0,
    filtered_logs: false,
    ...over,
  };
}

const editorUploads = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    row({
      client_ip: `81.2.76.${i + 1}`,
      host: `site${i}.example`,
      path: '/wp-admin/async-upload.php',
      wp_session: true,
      cookie_names: SESSION,
      requests: 3,
    }),
  );

function run(rows: BlockedGroupRow[], profiles: IpProfileRow[]) {
  const ips = new Map(profiles.map((p) => [p.client_ip, p]));
  return suggest({ groups: foldGroups(rows, ips), ips }, DEFAULT_CONFIG);
}

describe('what an expert would refuse', () => {
  it('answers webshell uploads on the upload endpoint by blocking the scanner, and still relaxes the rule for editors', () => {
    const scanner = '45.148.10.47';
    const rows = [
      ...editorUploads(6),
      ...Array.from({ length: 8 }, (_, i) =>
        row({
          client_ip: scanner,
          host: `site${i}.example`,
          path: '/wp-admin/async-upload.php',
          user_agent: 'python-requests/2.31',
          requests: 2,
        }),
      ),
    ];
    const profiles = [
      ...rows
        .filter((r) => r.client_ip !== scanner)
        .map((r) => profile(r.client_ip, { admin_work: 5, session_requests: 9 })),
      profile(scanner, {
        attack_requests: 16,
        attack_sites: 8,
        sites: 8,
        attack_signals: ['admin-write-without-session'],
      }),
    ];
    const result = run(rows, profiles);
    const block = result.suggestions.find((s) => s.kind === 'ip-block');
    expect(block?.kind === 'ip-block' && block.addresses).toEqual([`${scanner}/32`]);
    const override = result.suggestions.find((s): s is RuleOverride => s.kind === 'rule-override');
    // Editors' uploads all carried the login cookie: the override requires it, so the scanner's
    // cookie-less uploads stay blocked by the rule itself, not only by the IP block.
    expect(override?.scope.headers).toEqual([
      { name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in_' },
    ]);
    expect(override?.impact).toEqual({
      wouldAllow: 18,
      wouldAllowFromAttackers: 0,
      stillBlockedByIpBlocks: 0,
    });
  });

  it('makes no override that would mostly let attacks through', () => {
    const rows = [
      ...editorUploads(2),
      ...Array.from({ length: 10 }, (_, i) =>
        row({
          client_ip: '10.9.8.7',
          host: `site${i}.example`,
          path: '/wp-admin/async-upload.php',
          user_agent: 'python-requests/2.31',
          // A stolen or forged login cookie: inside the cookie condition too.
          wp_session: true,
          cookie_names: SESSION,
          requests: 4,
        }),
      ),
    ];
    // A private address: it cannot be IP-blocked, so nothing stops its uploads once the rule counts.
    const profiles = [
      ...editorUploads(2).map((r) => profile(r.client_ip, { admin_work: 3 })),
      profile('10.9.8.7', {
        attack_requests: 40,
        attack_sites: 10,
        allowed_attack_requests: 20,
        allowed_attack_sites: 10,
        attack_signals: ['probe-path'],
      }),
    ];
    const result = run(rows, profiles);
    expect(result.suggestions.filter((s) => s.kind === 'rule-override')).toEqual([]);
    expect(result.notSuggested[0]?.why).toMatch(/replay: it would let through 40 of 46/);
    expect(result.spared).toEqual([
      expect.objectContaining({ clientIp: '10.9.8.7', why: expect.stringMatching(/private/) }),
    ]);
  });

  it('never blocks an agency office that edits many sites and trips body rules on all of them', () => {
    const office = '81.134.47.166';
    const rows = Array.from({ length: 25 }, (_, i) =>
      row({
        client_ip: office,
        host: `client${i}.example`,
        path: '/wp-json/wp/v2/posts/12',
        rule_id: 'CrossSiteScripting_BODY',
        cookie_redacted: i % 2 === 0,
        cookie_names: i % 2 ? SESSION : [],
        wp_session: i % 2 === 1,
      }),
    );
    const result = run(rows, [profile(office, { admin_work: 400, sites: 25, blocked_sites: 25 })]);
    expect(result.suggestions.filter((s) => s.kind === 'ip-block')).toEqual([]);
    expect(result.suggestions).toEqual([
      expect.objectContaining({
        kind: 'rule-override',
        scope: {
          methods: ['POST'],
          paths: [{ match: 'STARTS_WITH', value: '/wp-json/wp/v2/posts/' }],
          // Where the log redacts the Cookie header the office's admin work vouches for its login.
          headers: [{ name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in_' }],
        },
      }),
    ]);
  });

  it('never blocks an uptime monitor, and relaxes NoUserAgent only for GETs of the home page', () => {
    const monitor = '3.120.181.46';
    const rows = Array.from({ length: 30 }, (_, i) =>
      row({
        client_ip: i % 2 ? monitor : '3.120.181.47',
        method: 'GET',
        path: '/',
        host: `s${i}.example`,
        rule_id: 'NoUserAgent_HEADER',
        user_agent: null,
        requests: 12,
      }),
    );
    const profiles = [
      profile(monitor, { only_root_gets: true, sites: 30 }),
      profile('3.120.181.47', { only_root_gets: true, sites: 30 }),
    ];
    const result = run(rows, profiles);
    expect(result.suggestions).toEqual([
      expect.objectContaining({
        kind: 'rule-override',
        ruleId: 'NoUserAgent_HEADER',
        scope: { methods: ['GET'], paths: [{ match: 'EXACTLY', value: '/' }] },
      }),
    ]);
  });

  it('scopes a checkout that posts to / by its query, and refuses a write to / that no query names', () => {
    const checkout = Array.from({ length: 6 }, (_, i) =>
      row({
        client_ip: `24.6.210.${i}`,
        path: '/',
        query: 'wc-ajax=checkout',
        rule_id: 'CrossSiteScripting_BODY',
        host: 'shop.example',
      }),
    );
    const bare = Array.from({ length: 6 }, (_, i) =>
      row({
        client_ip: `24.6.211.${i}`,
        path: '/',
        query: `p=${i}`,
        rule_id: 'SQLi_BODY',
        host: 'shop.example',
        wp_session: true,
        cookie_names: SESSION,
      }),
    );
    const result = run(
      [...checkout, ...bare],
      [...checkout, ...bare].map((r) => profile(r.client_ip)),
    );
    const scopes = result.suggestions.map((s) => s.kind === 'rule-override' && s.scope);
    expect(scopes).toContainEqual({
      methods: ['POST'],
      paths: [{ match: 'EXACTLY', value: '/' }],
      query: { match: 'CONTAINS', value: 'wc-ajax=checkout' },
    });
    expect(result.notSuggested).toContainEqual(
      expect.objectContaining({
        ruleId: 'SQLi_BODY',
        why: expect.stringMatching(/share no query parameter/),
      }),
    );
  });

  it('keeps ids stable for the same proposal whatever the evidence', () => {
    const a = run(
      editorUploads(4),
      editorUploads(4).map((r) => profile(r.client_ip, { admin_work: 2 })),
    );
    const b = run(
      editorUploads(7),
      editorUploads(7).map((r) => profile(r.client_ip, { admin_work: 2 })),
    );
    expect(a.suggestions[0]?.id).toBe(b.suggestions[0]?.id);
    expect(a.suggestions[0]?.id).toMatch(/^ovr-[0-9a-f]{10}$/);
  });
});

describe('what real hosting fleets need', () => {
  const CDN_ACL = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/behind-cloudfront/cdn';

  it('never blocks a CDN edge, and blocks a client seen through it by the right-most X-Forwarded-For address there', () => {
    const edge = '130.176.1.20';
    const client = '45.148.10.99';
    const probe = (host: string, acl: string, via: boolean) =>
      row({
        web_acl_arn: acl,
        client_ip: client,
        via_edge: via,
        forwarded_ip: via ? client : null,
        host,
        method: 'GET',
        path: '/.env',
        rule_id: 'GenericLFI_URIPATH',
        requests: 3,
      });
    const rows = [
      probe('a.example', CDN_ACL, true),
      probe('b.example', CDN_ACL, true),
      probe('c.example', ACL, false),
      // The edge's own request (no forwarded address) with attack evidence.
      row({
        client_ip: edge,
        web_acl_arn: CDN_ACL,
        path: '/wp-config.php.bak',
        method: 'GET',
        rule_id: 'X',
        requests: 9,
      }),
    ];
    const profiles = [
      profile(client, { attack_requests: 9, attack_sites: 3, sites: 3, cdn_web_acls: [CDN_ACL] }),
      profile(edge, { attack_requests: 9, attack_sites: 1, edge_kind: 'cloudfront', user_agents: 3 }),
    ];
    const result = run(rows, profiles);
    const blocks = result.suggestions.filter((s) => s.kind === 'ip-block');
    expect(blocks).toEqual([
      expect.objectContaining({
        addresses: [`${client}/32`],
        forwardedIpConfig: {
          headerName: 'X-Forwarded-For',
          position: 'LAST',
          fallbackBehavior: 'NO_MATCH',
          webAcls: [CDN_ACL],
        },
      }),
    ]);
    expect(result.spared).toContainEqual(
      expect.objectContaining({ clientIp: edge, why: expect.stringMatching(/CloudFront edge/) }),
    );
  });

  it('never blocks a deploy system writing with an application password, and scopes its override by credentials and user agent', () => {
    const ci = '49.12.38.197';
    const ua = 'wp-deploy-action/3.1.0';
    const rows = many(4, (i) => ({
      client_ip: ci,
      host: `site${i}.example`,
      path: `/wp-json/wp/v2/posts/${100 + i}`,
      rule_id: 'CrossSiteScripting_BODY',
      auth_scheme: 'basic',
      user_agent: ua,
      requests: 3,
    }));
    const profiles = [
      profile(ci, {
        requests: 120,
        allowed_requests: 108,
        auth_requests: 120,
        auth_reads_allowed: 90,
        attack_requests: 12,
        attack_sites: 4,
        sites: 4,
        signature_sites: 4,
        attack_signals: ['admin-write-without-session'],
      }),
    ];
    const result = run(rows, profiles);
    expect(result.suggestions.filter((s) => s.kind === 'ip-block')).toEqual([]);
    expect(result.suggestions).toEqual([
      expect.objectContaining({
        kind: 'rule-override',
        ruleId: 'CrossSiteScripting_BODY',
        scope: {
          methods: ['POST'],
          paths: [{ match: 'STARTS_WITH', value: '/wp-json/wp/v2/posts/' }],
          headers: [
            { name: 'authorization', match: 'STARTS_WITH', value: 'Basic ' },
            { name: 'user-agent', match: 'EXACTLY', value: ua },
          ],
        },
      }),
    ]);
  });

  it('gives checkouts and payment webhooks that both post to / their own overrides, each named by its query', () => {
    const checkout = many(6, (i) => ({
      client_ip: `24.6.210.${i}`,
      path: '/',
      query: 'wc-ajax=checkout',
      rule_id: 'CrossSiteScripting_BODY',
      host: 'shop.example',
      cookie_names: ['wp_woocommerce_session_abc', 'woocommerce_items_in_cart'],
    }));
    const stripe = many(4, (i) => ({
      client_ip: `54.187.174.${i}`,
      path: '/',
      query: 'wc-api=wc_stripe',
      rule_id: 'CrossSiteScripting_BODY',
      host: 'shop.example',
      user_agent: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      known_headers: ['stripe-signature'],
      requests: 2,
    }));
    // Webhooks only post their calls: a provider's address has no other history.
    const profiles = [
      ...checkout.map((r) => profile(r.client_ip)),
      ...stripe.map((r) =>
        profile(r.client_ip, { requests: 2, allowed_requests: 0, blocked: 2, callback_requests: 2 }),
      ),
    ];
    const result = run([...checkout, ...stripe], profiles);
    const scopes = result.suggestions.flatMap((s) => (s.kind === 'rule-override' ? [s.scope] : []));
    expect(scopes).toContainEqual({
      methods: ['POST'],
      paths: [{ match: 'EXACTLY', value: '/' }],
      query: { match: 'CONTAINS', value: 'wc-ajax=checkout' },
      headers: [{ name: 'cookie', match: 'CONTAINS', value: 'wp_woocommerce_session_' }],
    });
    expect(scopes).toContainEqual({
      methods: ['POST'],
      paths: [{ match: 'EXACTLY', value: '/' }],
      query: { match: 'CONTAINS', value: 'wc-api=wc_stripe' },
      headers: [
        { name: 'stripe-signature', match: 'CONTAINS', value: 'v1=' },
        { name: 'user-agent', match: 'EXACTLY', value: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
      ],
    });
  });

  it('keeps cookie-less spray on the editors’ rule and path blocked, and refuses a scope that cannot tell one-shot sources from commenters', () => {
    const editors = many(5, (i) => ({
      client_ip: `81.2.77.${i}`,
      host: `site${i}.example`,
      path: '/wp-json/wp/v2/posts/7',
      rule_id: 'CrossSiteScripting_BODY',
      wp_session: true,
      cookie_names: SESSION,
      requests: 2,
    }));
    const spray = many(20, (i) => ({
      client_ip: `14.226.9.${i}`,
      host: `site${i % 5}.example`,
      path: '/wp-json/wp/v2/posts/7',
      rule_id: 'CrossSiteScripting_BODY',
    }));
    const commenters = many(6, (i) => ({
      client_ip: `86.1.1.${i}`,
      host: 'blog.example',
      path: '/wp-comments-post.php',
      rule_id: 'CrossSiteScripting_BODY',
    }));
    const driveBy = many(6, (i) => ({
      client_ip: `113.161.1.${i}`,
      host: 'blog.example',
      path: '/wp-comments-post.php',
      rule_id: 'CrossSiteScripting_BODY',
    }));
    const oneShot = { requests: 1, allowed_requests: 0, blocked: 1 };
    const result = run(
      [...editors, ...spray, ...commenters, ...driveBy],
      [
        ...editors.map((r) => profile(r.client_ip, { admin_work: 30, session_requests: 40 })),
        ...spray.map((r) => profile(r.client_ip, oneShot)),
        ...commenters.map((r) => profile(r.client_ip)),
        ...driveBy.map((r) => profile(r.client_ip, oneShot)),
      ],
    );
    const rest = result.suggestions.find(
      (s) => s.kind === 'rule-override' && s.scope.paths?.[0]?.value !== '/wp-comments-post.php',
    );
    expect(rest).toMatchObject({
      scope: { headers: [{ name: 'cookie', match: 'CONTAINS', value: 'wordpress_logged_in_' }] },
      impact: { wouldAllow: 10, wouldAllowFromAttackers: 0 },
    });
    expect(
      result.suggestions.some(
        (s) => s.kind === 'rule-override' && s.scope.paths?.[0]?.value === '/wp-comments-post.php',
      ),
    ).toBe(false);
    expect(result.notSuggested).toContainEqual(
      expect.objectContaining({
        path: '/wp-comments-post.php',
        why: expect.stringMatching(/one-shot sources \(6\)/),
      }),
    );
  });

  it('blocks attacking IPv6 addresses of one /64 as that /64, never one holding a benign address, and a lone one as /128', () => {
    const scan = (ip: string, i: number) =>
      row({
        client_ip: ip,
        host: `s${i}.example`,
        method: 'GET',
        path: '/.git/config',
        rule_id: 'X',
        requests: 2,
      });
    const campaign = ['2a01:4f8:c0c:1::10', '2a01:4f8:c0c:1::22', '2a01:4f8:c0c:1:8000::3'];
    const mixed = ['2a01:4f8:dead:2::1', '2a01:4f8:dead:2::2'];
    const rows = [...campaign, ...mixed, '2a01:4f8:beef:3::9'].map((ip, i) => scan(ip, i));
    const attacker = { attack_requests: 6, attack_sites: 2, sites: 2, attack_signals: ['probe-path'] };
    const profiles = [
      ...campaign.map((ip) => profile(ip, attacker)),
      ...mixed.map((ip) => profile(ip, attacker)),
      profile('2a01:4f8:beef:3::9', attacker),
      // An editor in the second /64.
      profile('2a01:4f8:dead:2::77', { admin_work: 40 }),
    ];
    const addresses = run(rows, profiles)
      .suggestions.flatMap((s) => (s.kind === 'ip-block' ? s.addresses : []))
      .sort();
    expect(addresses).toEqual([
      '2a01:4f8:beef:3:0:0:0:9/128',
      '2a01:4f8:c0c:1::/64',
      '2a01:4f8:dead:2:0:0:0:1/128',
      '2a01:4f8:dead:2:0:0:0:2/128',
    ]);
  });

  it('blocks a forged session on one site: a login cookie, no admin work, an injection in the blocked body', () => {
    const forger = '193.176.104.69';
    const rows = [
      row({
        client_ip: forger,
        path: '/wp-json/wp/v2/posts/9',
        rule_id: 'CrossSiteScripting_BODY',
        wp_session: true,
        cookie_names: SESSION,
        matched_data: '< svg onload',
      }),
    ];
    const result = run(rows, [profile(forger, { requests: 4, allowed_requests: 3, session_requests: 2 })]);
    expect(result.suggestions).toContainEqual(
      expect.objectContaining({ kind: 'ip-block', addresses: [`${forger}/32`] }),
    );
  });
});
