import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetOptions, generateFleet, writeFleet } from '../../fixtures/generator/index.js';
import { formatScore, type Score, scoreSuggestions } from '../../fixtures/score/index.js';
import { DEFAULT_CONFIG } from '../../schemas/config.js';
import type { Report } from '../../schemas/report.js';
import { type IpBlock, type RuleOverride, suggestionSetSchema } from '../../schemas/suggestion.js';
import { analyzeLocal } from '../../src/analyze/local.js';

/**
 * Suggestions on a fleet shaped the way hosting fleets are (issue 10), judged by the independent
 * scorer (`fixtures/score/`, the contract's semantics replayed on the raw records): a CDN-fronted
 * web ACL with forged X-Forwarded-For, application-password CI and mobile clients, payment
 * webhooks and Jetpack, page-builder saves on admin-ajax.php, IPv6 editors and scanner /64s,
 * one-shot campaigns on the false-positive rules and paths (some with password-guess
 * Authorization headers), forged sessions.
 *
 * The suggester was tuned on seeds 11 and 12 (60 sites, 2026-10-07) and 2031 (60 sites,
 * 2026-09-15: first written as this test's held-out seed, it failed on coverage, 89.4%, which
 * led to the one-shot-session signal, so it became a tuning seed). This seed, day and size were
 * not looked at before this test was written.
 */
const FLEET: FleetOptions = { seed: 5077, day: '2026-08-03', sites: 75, realism: 'hosting' };

describe('suggestions on a labelled hosting fleet day', () => {
  let report: Report;
  let score: Score;
  let dir = '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'waftune-hosting-'));
    await writeFleet(join(dir, 'logs'), FLEET);
    report = await analyzeLocal([join(dir, 'logs')], { config: DEFAULT_CONFIG, rejectsFile: null });
    score = scoreSuggestions(generateFleet(FLEET), report.suggestions);
    console.info(`hosting fleet ${JSON.stringify(FLEET)}\n${formatScore(score)}`);
  }, 300_000);

  it('covers at least 95% of the false-positive blocks', () => {
    expect(
      score.overall.falsePositiveCoverage,
      JSON.stringify(score.uncoveredFalsePositives.slice(0, 12)),
    ).toBeGreaterThanOrEqual(0.95);
  });

  it('lets through at most 0.5% of the attack blocks, net of the IP blocks', () => {
    expect(score.overall.attackLeak, JSON.stringify(score.leakedAttacks.slice(0, 12))).toBeLessThanOrEqual(
      0.005,
    );
  });

  it('blocks at least 95% of the multi-site scanners, no benign address and no CDN edge', () => {
    expect(
      score.multiSiteScanners.rate,
      JSON.stringify(score.multiSiteScanners.missed),
    ).toBeGreaterThanOrEqual(0.95);
    expect(score.benignAddressesBlocked).toEqual([]);
    expect(score.cdnEdgesBlocked).toEqual([]);
    expect(score.notes.tooWideAddresses).toEqual([]);
  });

  it('uses the contract: login-cookie conditions, forwarded-IP blocks on the CDN-fronted web ACL, valid ids', () => {
    const set = suggestionSetSchema.parse({
      version: 1,
      window: report.window,
      suggestions: report.suggestions,
    });
    expect(new Set(set.suggestions.map((s) => s.id)).size).toBe(set.suggestions.length);
    const overrides = set.suggestions.filter((s): s is RuleOverride => s.kind === 'rule-override');
    expect(
      overrides.some((o) =>
        o.scope.headers?.some((h) => h.name === 'cookie' && h.value === 'wordpress_logged_in_'),
      ),
    ).toBe(true);
    const forwarded = set.suggestions.filter(
      (s): s is IpBlock => s.kind === 'ip-block' && !!s.forwardedIpConfig,
    );
    expect(forwarded.length).toBeGreaterThan(0);
    for (const b of forwarded)
      expect(b.forwardedIpConfig).toMatchObject({
        headerName: 'X-Forwarded-For',
        position: 'LAST',
        fallbackBehavior: 'NO_MATCH',
      });
  });
});
