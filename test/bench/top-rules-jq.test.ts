import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compareTopRules,
  JQ_PROGRAM,
  parseUniqCounts,
  runJqTopRules,
  toolVersion,
} from '../../bench/jq-top-rules.js';
import { DEFAULT_CONFIG } from '../../schemas/config.js';
import { analyzeLocal } from '../../src/analyze/local.js';
import { processRecord } from '../../src/ingest/process.js';
import { awsDocExampleLines } from '../support/vendored.js';
import {
  countModeGroupRecord,
  countModeThenTerminatingRecord,
  customerGroupRecord,
  excludedAsCountRecord,
  terminatedAndCountedRecord,
} from '../support/waf-records.js';

/**
 * The bench compares waftune with what a user does by hand (zcat | jq | sort | uniq -c); that is
 * only honest if the hand-made table is the report's top-rules table. Held here record by record
 * on the shapes WAF logs rule groups in (Count mode, excluded rules, customer groups), and as a
 * table on the demo (its broken files included: jq skips nothing waftune keeps, since those lines
 * are not records).
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

  it.skipIf(!haveTools)(
    'picks each record’s rule as waftune does, in every shape a web ACL logs a rule group',
    () => {
      const shapes: unknown[] = [
        countModeGroupRecord(),
        countModeGroupRecord('my-sqli'),
        excludedAsCountRecord(),
        excludedAsCountRecord(false),
        countModeThenTerminatingRecord(),
        terminatedAndCountedRecord(),
        customerGroupRecord('enforce'),
        customerGroupRecord('count'),
        ...awsDocExampleLines().map((line) => JSON.parse(line) as unknown),
      ];
      for (const record of shapes) {
        const r = processRecord(record);
        if (!r.ok) throw new Error(r.reason);
        const e = r.event;
        const expected =
          e.rule_action !== null && ['BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE'].includes(e.rule_action)
            ? `${[e.rule_group ?? '-', e.rule_id ?? '-', e.rule_action].join('\t')}\n`
            : '';
        const jq = spawnSync('jq', ['-r', '-f', JQ_PROGRAM], {
          input: JSON.stringify(record),
          encoding: 'utf8',
        });
        expect(jq.stdout, JSON.stringify(record).slice(0, 200)).toBe(expected);
      }
    },
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
