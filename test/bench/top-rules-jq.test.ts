import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareTopRules, parseUniqCounts, runJqTopRules, toolVersion } from '../../bench/jq-top-rules.js';
import { DEFAULT_CONFIG } from '../../schemas/config.js';
import { analyzeLocal } from '../../src/analyze/local.js';

/**
 * The bench compares waftune with what a user does by hand (zcat | jq | sort | uniq -c); that is
 * only honest if the hand-made table is the report's top-rules table. Held here on the demo (its
 * broken files included: jq skips nothing waftune keeps, since those lines are not records).
 */

const DEMO = fileURLToPath(new URL('../../fixtures/demo/2026', import.meta.url));
const haveTools = toolVersion('jq') !== null && toolVersion('zcat') !== null;

describe('the top-rules table by hand', () => {
  it.skipIf(!haveTools)(
    'gives exactly waftune’s top rules and counts on the demo fleet',
    async () => {
      const report = await analyzeLocal([DEMO], { config: DEFAULT_CONFIG, rejectsFile: null });
      const { rows } = runJqTopRules(DEMO);
      expect(report.topRules.length).toBeGreaterThan(5);
      expect(compareTopRules(rows, report.topRules)).toEqual([]);
    },
    60_000,
  );

  it('reads uniq -c output, with "-" for no rule group', () => {
    expect(parseUniqCounts('     12 -\tmy-rate-rule\tBLOCK\n      3 AWS#X\tR_1\tCOUNT\n')).toEqual([
      { ruleGroup: null, ruleId: 'my-rate-rule', action: 'BLOCK', requests: 12 },
      { ruleGroup: 'AWS#X', ruleId: 'R_1', action: 'COUNT', requests: 3 },
    ]);
  });

  it('names a count that differs and a rule missing from the table', () => {
    const [a, b, c] = [
      { ruleGroup: 'G', ruleId: 'A', action: 'BLOCK', requests: 9 },
      { ruleGroup: 'G', ruleId: 'B', action: 'BLOCK', requests: 5 },
      { ruleGroup: 'G', ruleId: 'C', action: 'BLOCK', requests: 1 },
    ];
    const byHand = [a, b, c];
    expect(compareTopRules(byHand, [a, b])).toEqual([]);
    // A wrong count, and B (5) left out of a table that lists C (1).
    expect(compareTopRules(byHand, [{ ...a, requests: 8 }, c])).toHaveLength(2);
  });
});
