import { describe, expect, it } from 'vitest';
import type { RuleOverride } from '../../schemas/suggestion.js';
import { robustZ } from '../../src/notify/robust-z.js';
import {
  type BlockSeries,
  DEFAULT_SPIKE_CONFIG,
  detectAlerts,
  type SpikeConfig,
} from '../../src/notify/spikes.js';
import { generateCounts, mulberry32, poisson } from './series-gen.js';

const BUCKETS = 73; // 6 hours of 5-minute buckets + the one being checked
const START = '2025-05-02T00:00:00.000Z';
const FIX = 'waftune suggest s3://logs/events --since 6h';

const series = (host: string, ruleId: string, path: string, fp: number[], blocked = fp): BlockSeries => ({
  host,
  ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
  ruleId,
  path,
  falsePositives: fp,
  blocked,
});

function override(id: string, ruleId: string, path: string, host?: string): RuleOverride {
  return {
    id,
    kind: 'rule-override',
    ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
    ruleId,
    label: `awswaf:managed:aws:core-rule-set:${ruleId}`,
    scope: { paths: [{ match: 'STARTS_WITH', value: path }], ...(host ? { hosts: [host] } : {}) },
    webAcls: ['acl-1'],
    confidence: 0.9,
    evidence: {
      blockedRequests: 100,
      distinctIps: 10,
      sites: 1,
      loggedInShare: 0.9,
      ipsWithAdminWork: 5,
      hostsSample: [],
      samples: [],
    },
    impact: { wouldAllow: 100, wouldAllowFromAttackers: 0, stillBlockedByIpBlocks: 0 },
    reasons: [],
  };
}

interface Score {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}
const precision = (s: Score) => s.tp / Math.max(1, s.tp + s.fp);
const recall = (s: Score) => s.tp / Math.max(1, s.tp + s.fn);

describe('robust z', () => {
  it('is not fooled by zeros or by bursts in the baseline', () => {
    expect(robustZ(1, new Array(72).fill(0)).z).toBe(1); // floor of 1: one request is no spike
    expect(robustZ(40, new Array(72).fill(0)).z).toBe(40);
    const bursty = [...new Array(66).fill(10), 60, 70, 80, 55, 65, 75];
    expect(robustZ(14, bursty).z).toBeLessThan(3.5);
    expect(robustZ(40, bursty).z).toBeGreaterThan(3.5);
  });
});

describe('spike detection on generated series with known spikes', () => {
  it('finds per-(site, rule, path) spikes with high precision and recall', () => {
    const random = mulberry32(20250502);
    const score: Score = { tp: 0, fp: 0, fn: 0, tn: 0 };
    const rates = [0, 0.05, 0.3, 1, 3, 8, 20, 50, 120];
    const byRate: string[] = [];
    // Spikes that at least double the rate: the ones an operator would call a spike.
    const clear = { total: 0, found: 0 };
    const clearPoisson = { total: 0, found: 0 };
    let n = 0;
    for (const rate of rates) {
      const before = { ...score };
      for (let trial = 0; trial < 120; trial++) {
        const counts = generateCounts(
          {
            buckets: BUCKETS,
            rate,
            swing: 0.3,
            dispersion: trial % 3 === 0 ? 2 : null,
            bursts: trial % 4 === 0 ? 3 : 0,
          },
          random,
        );
        // Half get a spike: extra false positives between the minimum count and 10x it.
        const spiked = trial % 2 === 1;
        let doubled = false;
        if (spiked) {
          const extra = Math.round(DEFAULT_SPIKE_CONFIG.minCount * (1 + 9 * random() ** 2));
          counts[BUCKETS - 1] = (counts[BUCKETS - 1] ?? 0) + extra;
          doubled = extra >= rate;
        }
        const alerts = detectAlerts({
          windowStart: START,
          buckets: BUCKETS,
          series: [series(`site${n++}.example`, 'SizeRestrictions_BODY', '/wp-admin/post.php', counts)],
          suggestions: [],
          fallbackCommand: FIX,
        });
        const hit = alerts.some((a) => a.kind === 'fp-spike');
        if (hit && spiked) score.tp++;
        else if (hit) score.fp++;
        else if (spiked) score.fn++;
        else score.tn++;
        if (doubled) {
          clear.total++;
          if (hit) clear.found++;
          if (trial % 3 !== 0) {
            clearPoisson.total++;
            if (hit) clearPoisson.found++;
          }
        }
      }
      byRate.push(
        `rate ${rate}: recall ${((score.tp - before.tp) / 60).toFixed(2)}, false alarms ${score.fp - before.fp}/60`,
      );
    }
    console.log(byRate.join('\n'));
    console.log(
      `per-series spikes: ${n} series (${score.tp + score.fn} spiked): precision ${precision(score).toFixed(3)}, ` +
        `recall ${recall(score).toFixed(3)} (tp ${score.tp}, fp ${score.fp}, fn ${score.fn}, tn ${score.tn})`,
    );
    console.log(
      `recall on spikes that at least double the rate: ${(clear.found / clear.total).toFixed(3)} (${clear.found}/${clear.total}); ` +
        `on plain Poisson series ${(clearPoisson.found / clearPoisson.total).toFixed(3)} (${clearPoisson.found}/${clearPoisson.total})`,
    );
    expect(precision(score)).toBeGreaterThanOrEqual(0.97);
    expect(recall(score)).toBeGreaterThanOrEqual(0.85);
    expect(clear.found / clear.total).toBeGreaterThanOrEqual(0.95);
  });

  it('finds fleet-wide spikes made of increases too small to alert on any one site', () => {
    const random = mulberry32(7);
    const score: Score = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (let trial = 0; trial < 300; trial++) {
      const fleet = Array.from({ length: 40 }, (_, i) => {
        const rate = [0.2, 1, 3][i % 3] ?? 1;
        const counts = generateCounts(
          { buckets: BUCKETS, rate, swing: 0.3, dispersion: i % 2 ? 3 : null, bursts: i % 5 === 0 ? 2 : 0 },
          random,
        );
        return series(
          `site${i}.example`,
          i % 4 === 0 ? 'GenericRFI_BODY' : 'SizeRestrictions_BODY',
          '/wp-admin/post.php',
          counts,
        );
      });
      const spiked = trial % 2 === 1;
      if (spiked) {
        // 12 to 25 sites get 6 to 15 extra blocks each: under the per-site minimum of 20.
        const sites = 12 + Math.floor(random() * 14);
        for (const s of fleet.filter((x) => x.ruleId === 'SizeRestrictions_BODY').slice(0, sites)) {
          s.falsePositives[BUCKETS - 1] = (s.falsePositives[BUCKETS - 1] ?? 0) + 6 + poisson(4, random);
        }
      }
      const alerts = detectAlerts({
        windowStart: START,
        buckets: BUCKETS,
        series: fleet,
        suggestions: [],
        fallbackCommand: FIX,
      });
      const hit = alerts.some((a) => a.kind === 'fleet-spike');
      if (hit && spiked) score.tp++;
      else if (hit) score.fp++;
      else if (spiked) score.fn++;
      else score.tn++;
      // Never an alert per site for these sub-threshold increases.
      expect(alerts.filter((a) => a.kind === 'fp-spike' && spiked)).toEqual([]);
    }
    console.log(
      `fleet-wide spikes: 300 fleets of 40 series (150 spiked): precision ${precision(score).toFixed(3)}, ` +
        `recall ${recall(score).toFixed(3)} (tp ${score.tp}, fp ${score.fp}, fn ${score.fn}, tn ${score.tn})`,
    );
    expect(precision(score)).toBeGreaterThanOrEqual(0.95);
    expect(recall(score)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('alerts', () => {
  const flat = (v: number, last: number) => [...new Array(BUCKETS - 1).fill(v), last];

  it('names the pending suggestion that covers the spike and its apply command', () => {
    const [alert, ...rest] = detectAlerts({
      windowStart: START,
      buckets: BUCKETS,
      series: [series('blog.example', 'SizeRestrictions_BODY', '/wp-admin/post.php', flat(1, 60))],
      suggestions: [
        override('ro-other', 'SizeRestrictions_BODY', '/wp-json/'),
        override('ro-abc123', 'SizeRestrictions_BODY', '/wp-admin/'),
      ],
      fallbackCommand: FIX,
    });
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      kind: 'fp-spike',
      scope: { host: 'blog.example', ruleId: 'SizeRestrictions_BODY', path: '/wp-admin/post.php' },
      at: '2025-05-02T06:00:00.000Z',
      count: 60,
      baseline: 1,
      suggestionId: 'ro-abc123',
      command: 'waftune apply ro-abc123',
    });
    expect(alert?.summary).toBe(
      '60 likely false-positive blocks by AWSManagedRulesCommonRuleSet/SizeRestrictions_BODY on blog.example/wp-admin/post.php in 5 min, against a median of 1 (robust z 59.0).',
    );
  });

  it('falls back to the command that makes a suggestion when none covers the spike', () => {
    const [alert] = detectAlerts({
      windowStart: START,
      buckets: BUCKETS,
      series: [series('blog.example', 'SizeRestrictions_BODY', '/wp-admin/post.php', flat(0, 30))],
      suggestions: [override('ro-1', 'SizeRestrictions_BODY', '/wp-admin/', 'other.example')],
      fallbackCommand: FIX,
    });
    expect(alert).toMatchObject({ suggestionId: null, command: FIX });
  });

  it('does not alert under the minimum count, nor without enough history', () => {
    const base = { windowStart: START, suggestions: [], fallbackCommand: FIX };
    expect(detectAlerts({ ...base, buckets: BUCKETS, series: [series('a', 'R', '/', flat(0, 19))] })).toEqual(
      [],
    );
    expect(
      detectAlerts({ ...base, buckets: 6, series: [series('a', 'R', '/', [0, 0, 0, 0, 0, 500])] }),
    ).toEqual([]);
  });

  it('folds per-site spikes of one rule into one fleet alert', () => {
    const fleet = Array.from({ length: 5 }, (_, i) =>
      series(`s${i}.example`, 'GenericLFI_QUERYARGUMENTS', '/', flat(2, 50 + i)),
    );
    const alerts = detectAlerts({
      windowStart: START,
      buckets: BUCKETS,
      series: fleet,
      suggestions: [],
      fallbackCommand: FIX,
    });
    expect(alerts.map((a) => a.kind)).toEqual(['fleet-spike']);
    expect(alerts[0]).toMatchObject({
      scope: { host: null, ruleId: 'GenericLFI_QUERYARGUMENTS', path: null },
      count: 260,
      sites: 5,
    });
    expect(alerts[0]?.summary).toContain('Most on s4.example, s3.example, s2.example.');
    expect(alerts[0]?.hosts).toEqual(['s4.example', 's3.example', 's2.example', 's1.example', 's0.example']);
  });

  it('flags an applied override whose requests are still blocked after the grace period', () => {
    const blockedAfter = [...new Array(60).fill(3), ...new Array(13).fill(2)];
    const alerts = detectAlerts({
      windowStart: START,
      buckets: BUCKETS,
      series: [
        series(
          'blog.example',
          'SizeRestrictions_BODY',
          '/wp-admin/post.php',
          new Array(BUCKETS).fill(0),
          blockedAfter,
        ),
        series(
          'blog.example',
          'SizeRestrictions_BODY',
          '/xmlrpc.php',
          new Array(BUCKETS).fill(0),
          new Array(BUCKETS).fill(5),
        ),
      ],
      suggestions: [override('ro-wider', 'SizeRestrictions_BODY', '/wp-admin/', 'blog.example')],
      changes: [
        {
          changeId: 'chg-42',
          suggestionId: 'ro-applied',
          appliedAt: '2025-05-02T05:00:00.000Z',
          ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
          ruleId: 'SizeRestrictions_BODY',
          scope: { paths: [{ match: 'EXACTLY', value: '/wp-admin/post.php' }] },
        },
      ],
      fallbackCommand: FIX,
    });
    const ineffective = alerts.find((a) => a.kind === 'override-ineffective');
    // Applied 05:00, grace 10 min: buckets from 05:10 on, 11 buckets of 2 blocks; /xmlrpc.php is out of scope.
    expect(ineffective).toMatchObject({
      changeId: 'chg-42',
      appliedAt: '2025-05-02T05:00:00.000Z',
      hosts: ['blog.example'],
      count: 22,
      scope: { host: 'blog.example' },
      command: 'waftune apply ro-wider',
    });
  });

  describe('scopes decided per request, as WAF will (method, raw path, query)', () => {
    const zeros = () => new Array<number>(BUCKETS).fill(0);
    /** A series on one endpoint from per-request blocks: [method, path, query, blocks per bucket]. */
    function endpoint(path: string, parts: [string, string, string, number[], boolean?][]): BlockSeries {
      const s: BlockSeries = { ...series('blog.example', 'SizeRestrictions_BODY', path, zeros(), zeros()) };
      const requests = parts.flatMap(([method, p, query, counts, fp = false]) =>
        counts.map((n, bucket) => ({
          method,
          path: p,
          query,
          bucket,
          blocked: n,
          falsePositives: fp ? n : 0,
        })),
      );
      for (const r of requests) {
        s.blocked[r.bucket] = (s.blocked[r.bucket] ?? 0) + r.blocked;
        s.falsePositives[r.bucket] = (s.falsePositives[r.bucket] ?? 0) + r.falsePositives;
      }
      return { ...s, requests: requests.filter((r) => r.blocked > 0) };
    }
    const applied = (scope: RuleOverride['scope']) => ({
      changeId: 'chg-7',
      suggestionId: 'ro-applied',
      appliedAt: '2025-05-02T05:00:00.000Z',
      ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
      ruleId: 'SizeRestrictions_BODY',
      scope,
    });
    const ineffective = (s: BlockSeries, scope: RuleOverride['scope']) =>
      detectAlerts({
        windowStart: START,
        buckets: BUCKETS,
        series: [s],
        suggestions: [],
        changes: [applied(scope)],
        fallbackCommand: FIX,
      }).filter((a) => a.kind === 'override-ineffective');

    it('an override for POST is not blamed for GET blocks on the same path', () => {
      const gets = endpoint('/wp-admin/post.php', [
        ['GET', '/wp-admin/post.php', '', new Array(BUCKETS).fill(3)],
      ]);
      const scope = {
        methods: ['POST'],
        paths: [{ match: 'EXACTLY' as const, value: '/wp-admin/post.php' }],
      };
      expect(ineffective(gets, scope)).toEqual([]);
      const both = endpoint('/wp-admin/post.php', [
        ['GET', '/wp-admin/post.php', '', new Array(BUCKETS).fill(3)],
        ['POST', '/wp-admin/post.php', '', new Array(BUCKETS).fill(1)],
      ]);
      // From 05:10 (grace) to the end: 11 buckets, only the POST blocks count.
      expect(ineffective(both, scope)).toMatchObject([{ count: 11, hosts: ['blog.example'] }]);
    });

    it('an override on one post is checked on that post, though the series counts the endpoint /posts/{id}', () => {
      const s = endpoint('/wp-json/wp/v2/posts/{id}', [
        ['POST', '/wp-json/wp/v2/posts/123', '', new Array(BUCKETS).fill(1)],
        ['POST', '/wp-json/wp/v2/posts/456', '', new Array(BUCKETS).fill(5)],
      ]);
      const one = (id: string) => ({
        paths: [{ match: 'EXACTLY' as const, value: `/wp-json/wp/v2/posts/${id}` }],
      });
      expect(ineffective(s, one('123'))).toMatchObject([{ count: 11 }]);
      expect(ineffective(s, one('789'))).toEqual([]);
    });

    it('names the suggestion whose query condition lets the spike through, not a more confident one beside it', () => {
      const ajax = '/wp-admin/admin-ajax.php';
      const spike = [...new Array(BUCKETS - 1).fill(0), 60];
      const s = endpoint(ajax, [
        ['POST', ajax, 'action=heartbeat', spike, true],
        ['POST', ajax, 'action=other', new Array(BUCKETS).fill(0), true],
      ]);
      const onAction = (id: string, action: string, confidence: number): RuleOverride => ({
        ...override(id, 'SizeRestrictions_BODY', ajax),
        scope: {
          paths: [{ match: 'EXACTLY', value: ajax }],
          query: { match: 'CONTAINS', value: `action=${action}` },
        },
        confidence,
      });
      const alerts = detectAlerts({
        windowStart: START,
        buckets: BUCKETS,
        series: [s],
        suggestions: [onAction('ro-other', 'other', 0.99), onAction('ro-heartbeat', 'heartbeat', 0.8)],
        fallbackCommand: FIX,
      });
      expect(alerts).toMatchObject([{ kind: 'fp-spike', command: 'waftune apply ro-heartbeat' }]);
    });
  });

  it('leaves an override alone while it is within its grace period, or when its blocks stopped', () => {
    const change = {
      changeId: 'chg-1',
      suggestionId: null,
      appliedAt: '2025-05-02T06:00:00.000Z',
      ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
      ruleId: 'R',
      scope: {},
    };
    const s = series('a', 'R', '/', new Array(BUCKETS).fill(0), new Array(BUCKETS).fill(4));
    expect(
      detectAlerts({
        windowStart: START,
        buckets: BUCKETS,
        series: [s],
        suggestions: [],
        changes: [change],
        fallbackCommand: FIX,
      }),
    ).toEqual([]);
    // Blocks until 03:05, within the grace of a change applied at 03:00, and none since.
    const stopped = series('a', 'R', '/', new Array(BUCKETS).fill(0), [
      ...new Array(38).fill(4),
      ...new Array(35).fill(0),
    ]);
    expect(
      detectAlerts({
        windowStart: START,
        buckets: BUCKETS,
        series: [stopped],
        suggestions: [],
        changes: [{ ...change, appliedAt: '2025-05-02T03:00:00.000Z' }],
        fallbackCommand: FIX,
      }),
    ).toEqual([]);
    // Blocks that went on for an hour after the change but stopped since are no longer news.
    const stoppedLate = series('a', 'R', '/', new Array(BUCKETS).fill(0), [
      ...new Array(50).fill(4),
      ...new Array(23).fill(0),
    ]);
    expect(
      detectAlerts({
        windowStart: START,
        buckets: BUCKETS,
        series: [stoppedLate],
        suggestions: [],
        changes: [{ ...change, appliedAt: '2025-05-02T03:00:00.000Z' }],
        fallbackCommand: FIX,
      }),
    ).toEqual([]);
  });

  it('calls out a silent rule that starts blocking on several sites, naming the rule group update', () => {
    const config: SpikeConfig = { ...DEFAULT_SPIKE_CONFIG, checkBuckets: 3 };
    const silentThenBlocking = (last: number[]) => [...new Array(BUCKETS - 3).fill(0), ...last];
    const alerts = detectAlerts(
      {
        windowStart: START,
        buckets: BUCKETS,
        series: [
          series(
            'a.example',
            'NewRule_BODY',
            '/wp-json/wp/v2/posts',
            silentThenBlocking([0, 4, 6]),
            silentThenBlocking([0, 9, 12]),
          ),
          series(
            'b.example',
            'NewRule_BODY',
            '/wp-json/wp/v2/posts',
            silentThenBlocking([0, 2, 3]),
            silentThenBlocking([0, 4, 5]),
          ),
        ],
        suggestions: [override('ro-new', 'NewRule_BODY', '/wp-json/')],
        ruleGroupUpdates: [
          {
            ruleGroup: 'AWS#AWSManagedRulesCommonRuleSet',
            at: '2025-05-02T05:50:00.000Z',
            version: 'Version_1.15',
          },
        ],
        fallbackCommand: FIX,
      },
      config,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'new-rule-activity',
      count: 30,
      sites: 2,
      command: 'waftune apply ro-new',
      z: null,
    });
    expect(alerts[0]?.summary).toBe(
      'AWSManagedRulesCommonRuleSet/NewRule_BODY blocked 30 requests on 2 sites in the last 15 min after none in the previous 6 h, after the rule group update to Version_1.15 at 2025-05-02T05:50:00.000Z.',
    );
  });
});
