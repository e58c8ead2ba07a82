import { type DigestData, digestDataSchema } from '../../schemas/digest.js';
import type { Suggestion } from '../../schemas/suggestion.js';

/** Values an attacker can put in a WAF log, aimed at Slack mrkdwn and at HTML. */
export const HOSTILE = [
  '<!channel>',
  '<!here|here>',
  '<@U024BE7LH>',
  '<http://evil.example|click me>',
  '*bold* _italic_ ~strike~ `code` ```block```',
  '<script>document.title="pwned"</script>',
  '<img src=x onerror="document.title=\'pwned\'">',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  '&amp; &lt;b&gt; entity',
  '@channel @here @everyone',
  'line1\nline2\r\n> quote',
  '\u202eevil\u202c reversed',
  'https://phish.example/login',
  '</style><style>body{display:none}</style>',
] as const;

const iso = (ms: number) => new Date(ms).toISOString();

export function hostile(i: number): string {
  return HOSTILE[i % HOSTILE.length] ?? '';
}

function ruleOverride(id: string, path: string, host: string): Suggestion {
  return {
    id,
    kind: 'rule-override',
    ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
    ruleId: 'SizeRestrictions_BODY',
    label: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body',
    scope: { methods: ['POST'], paths: [{ match: 'EXACTLY', value: path }], hosts: [host] },
    webAcls: ['fleet-acl-1', 'fleet-acl-2'],
    confidence: 0.92,
    evidence: {
      blockedRequests: 420,
      distinctIps: 12,
      sites: 3,
      loggedInShare: 0.95,
      ipsWithAdminWork: 11,
      hostsSample: [host],
      samples: [],
    },
    impact: { wouldAllow: 420, wouldAllowFromAttackers: 2, stillBlockedByIpBlocks: 2 },
    reasons: [`editors saving long posts on ${host}`],
  };
}

function ipBlock(id: string, address: string): Suggestion {
  return {
    id,
    kind: 'ip-block',
    addresses: [address],
    expiresAfterDays: 7,
    confidence: 0.97,
    evidence: {
      requests: 5000,
      blockedRequests: 4900,
      sites: 40,
      webAcls: ['fleet-acl-1'],
      signals: ['scanner-ua'],
      userAgents: [address],
      samples: [],
    },
    reasons: [`probed xmlrpc.php on 40 sites ${address}`],
  };
}

export interface FixtureOptions {
  /** Put hostile strings in every attacker-written field. */
  hostile?: boolean;
  /** Items per list. */
  items?: number;
  reportUrl?: string | null;
}

/** A digest with every list filled; validated against the schema so the fixture cannot drift from it. */
export function makeDigest(options: FixtureOptions = {}): DigestData {
  const n = options.items ?? 5;
  const to = Date.UTC(2025, 4, 2, 6, 0, 0);
  const from = to - 24 * 3600_000;
  const value = (plain: string, i: number) => (options.hostile ? `${hostile(i)}${plain}` : plain);
  const hosts = Array.from({ length: n }, (_, i) => value(`site${i}.example.com`, i));
  const paths = Array.from({ length: n }, (_, i) => value(`/wp-admin/post.php?p=${i}`, i + 3));
  const data: DigestData = {
    version: 1,
    generatedAt: iso(to + 60_000),
    window: { from: iso(from), to: iso(to) },
    timeZone: 'Europe/Berlin',
    engine: 'duckdb',
    fleet: { sites: 97, webAcls: 14 },
    totals: {
      requests: 1_234_567,
      allowed: 1_200_000,
      blocked: 30_000,
      captcha: 3000,
      challenge: 1567,
      counted: 800,
      blockedByVerdict: {
        'likely-false-positive': 2500,
        'likely-attack': 25_000,
        uncertain: 2000,
        unclassified: 500,
      },
    },
    previous7DayAverage: {
      requests: 1_100_000,
      allowed: 1_080_000,
      blocked: 20_000,
      captcha: 2500,
      challenge: 1500,
      counted: 900,
      blockedByVerdict: {
        'likely-false-positive': 1000,
        'likely-attack': 17_000,
        uncertain: 1500,
        unclassified: 500,
      },
    },
    previousDays: 7,
    blocksOverTime: Array.from({ length: 24 }, (_, h) => ({
      start: iso(from + h * 3600_000),
      'likely-false-positive': h === 14 ? 900 : 60,
      'likely-attack': 900 + ((h * 37) % 300),
      uncertain: 80,
      unclassified: h % 2 === 0 ? 20 : 21,
    })),
    topRules: Array.from({ length: Math.min(n, 10) }, (_, i) => ({
      ruleGroup: i % 3 === 2 ? null : 'AWS#AWSManagedRulesCommonRuleSet',
      ruleId: value(`RULE_${i}`, i),
      blocked: 5000 - i * 400,
      falsePositives: 800 - i * 50,
      attacks: 3500 - i * 300,
      sites: 20 + i,
    })),
    topSites: hosts
      .slice(0, 10)
      .map((host, i) => ({ host, blocked: 3000 - i * 200, falsePositives: 300, attacks: 2000 - i * 100 })),
    fpCandidates: hosts.map((host, i) => ({
      host,
      ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
      ruleId: value('SizeRestrictions_BODY', i + 1),
      path: paths[i] ?? '/',
      blocked: 400 - i,
      distinctIps: 12,
      loggedInShare: i % 2 === 0 ? 0.9 : null,
      suggestionId: `ro-${i.toString(16).padStart(6, '0')}`,
    })),
    attackSources: Array.from({ length: n }, (_, i) => ({
      clientIp: `203.0.113.${i % 250}`,
      country: value('DE', i + 2),
      asn: value(`AS${64500 + i}`, i + 4),
      requests: 5000 - i,
      blocked: 4900 - i,
      sites: 40,
      signals: [value('scanner-ua', i + 5), 'xmlrpc-probe'],
      suggestionId: `ip-${i.toString(16).padStart(6, '0')}`,
    })),
    pendingSuggestions: Array.from({ length: n }, (_, i) => {
      const id =
        i % 2 === 0 ? `ro-${i.toString(16).padStart(6, '0')}` : `ip-${i.toString(16).padStart(6, '0')}`;
      const suggestion =
        i % 2 === 0
          ? ruleOverride(id, paths[i] ?? '/', hosts[i] ?? 'x')
          : ipBlock(id, value('198.51.100.7', i));
      return { suggestion, applyCommand: `waftune apply ${id}` };
    }),
    appliedChanges: Array.from({ length: Math.max(1, Math.floor(n / 2)) }, (_, i) => ({
      changeId: `chg-${i}`,
      suggestionId: `ro-${i}`,
      kind: 'rule-override' as const,
      appliedAt: iso(from + 3 * 3600_000),
      summary: value(`SizeRestrictions_BODY to Count on /wp-admin/post.php #${i}`, i + 6),
      webAcls: ['fleet-acl-1'],
      windowHours: 12,
      blockedBefore: 400,
      blockedAfter: i === 0 ? 380 : 3,
    })),
    reportUrl:
      options.reportUrl === undefined
        ? 'https://reports.example.com/digest/2025-05-02.html?sig=a&b=c'
        : options.reportUrl,
  };
  return digestDataSchema.parse(data);
}
