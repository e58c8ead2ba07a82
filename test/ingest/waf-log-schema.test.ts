import { describe, expect, it } from 'vitest';
import { wafLogRecordSchema } from '../../schemas/waf-log.js';
import { processRecordText } from '../../src/ingest/process.js';
import { awsDocExampleLines } from '../support/vendored.js';

const EXAMPLES = awsDocExampleLines();

describe('WAF log schema', () => {
  it("accepts every one of AWS's documented example records", () => {
    expect(EXAMPLES).toHaveLength(6);
    for (const line of EXAMPLES) {
      const parsed = wafLogRecordSchema.safeParse(JSON.parse(line));
      expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
    }
  });

  it('accepts unknown new fields (at every level) instead of rejecting the record', () => {
    const record = JSON.parse(EXAMPLES[2] ?? '{}');
    record.brandNewField = { x: 1 };
    record.httpRequest.newRequestField = 'x';
    record.ruleGroupList[0].newGroupField = [1];
    record.clientAsn = 16509;
    expect(wafLogRecordSchema.safeParse(record).success).toBe(true);
    expect(processRecordText(JSON.stringify(record))).toMatchObject({ ok: true, event: { asn: '16509' } });
  });

  it('accepts the null and absent variants of real logs', () => {
    const record = JSON.parse(EXAMPLES[0] ?? '{}');
    for (const key of [
      'ruleGroupList',
      'rateBasedRuleList',
      'nonTerminatingMatchingRules',
      'labels',
      'terminatingRuleMatchDetails',
    ]) {
      expect(wafLogRecordSchema.safeParse({ ...record, [key]: null }).success).toBe(true);
      const { [key]: _, ...without } = record;
      expect(wafLogRecordSchema.safeParse(without).success).toBe(true);
    }
  });

  it('rejects records without the fields that place them, with the field named', () => {
    const record = JSON.parse(EXAMPLES[0] ?? '{}');
    delete record.httpRequest;
    const result = processRecordText(JSON.stringify(record));
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('httpRequest') });
    expect(processRecordText('{"not":"a waf record"}').ok).toBe(false);
    expect(processRecordText('{"timestamp":1,"formatVersion":1,"webaclId":"x"')).toEqual({
      ok: false,
      reason: 'truncated JSON line',
    });
  });
});
