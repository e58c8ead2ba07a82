import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/transform/handler.js';
import { RESPONSE_LIMIT_BYTES, transformBatch } from '../../functions/transform/transform.js';
import { processRecordText } from '../../src/ingest/process.js';
import { countModeGroupRecord, excludedAsCountRecord, wafRecord } from '../support/waf-records.js';
import { decode, exampleRecords, firehoseEvent, firehoseRecord, recordIdFor } from './firehose.js';

const examples = exampleRecords();
const first = examples[0] as string;

function withField(text: string, patch: (record: Record<string, unknown>) => void): string {
  const record = JSON.parse(text) as Record<string, unknown>;
  patch(record);
  return JSON.stringify(record);
}

function run(records: FirehoseTransformationEventRecord[], limit?: number) {
  return transformBatch(firehoseEvent(records), processRecordText, limit);
}

describe('Firehose transform', () => {
  it('turns every documented WAF record into one flat event line, partitioned by its day', () => {
    const records = examples.map((text, i) => firehoseRecord(recordIdFor(i), text));
    const { response, counts } = run(records);

    expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    expect(counts).toEqual({ in: 6, ok: 6, failed: 0 });
    response.records.forEach((out, i) => {
      const expected = processRecordText(examples[i] as string);
      if (!expected.ok) throw new Error('example must parse');
      expect(out.result).toBe('Ok');
      const line = decode(out.data);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(JSON.parse(line)).toEqual(expected.event);
      expect(out.metadata?.partitionKeys).toEqual({ dt: expected.event.dt });
    });
  });

  it('fails corrupt records one by one, with a reason, and keeps their source data', () => {
    const corrupt: Array<[string, FirehoseTransformationEventRecord]> = [
      ['truncated JSON', firehoseRecord('a', first.slice(0, 200))],
      ['not base64 of JSON', { recordId: 'b', approximateArrivalTimestamp: 0, data: '%%%not-base64%%%' }],
      ['empty', firehoseRecord('c', '')],
      ['JSON but not a WAF record', firehoseRecord('d', '{"hello":"world"}')],
      ['JSON array', firehoseRecord('e', '[1,2,3]')],
      ['JSON null', firehoseRecord('f', 'null')],
      ['two foreign objects back to back', firehoseRecord('g', '{"a":1}{"b":2}')],
      [
        'missing data',
        { recordId: 'h', approximateArrivalTimestamp: 0 } as unknown as FirehoseTransformationEventRecord,
      ],
      ['random bytes', firehoseRecord('i', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xc3]))],
    ];
    const good = firehoseRecord('ok', first);
    const { response, counts, failures } = run([good, ...corrupt.map(([, r]) => r)]);

    expect(counts).toEqual({ in: 10, ok: 1, failed: 9 });
    expect(response.records.map((r) => r.recordId)).toEqual(['ok', ...corrupt.map(([, r]) => r.recordId)]);
    expect(response.records[0]?.result).toBe('Ok');
    corrupt.forEach(([label, input], i) => {
      const out = response.records[i + 1];
      expect(out?.result, label).toBe('ProcessingFailed');
      expect(out?.data, label).toBe(input.data ?? '');
      expect(failures[i]?.recordId).toBe(input.recordId);
      expect(failures[i]?.reason.length, label).toBeGreaterThan(0);
    });
  });

  it('answers a record holding several WAF records (back to back or one per line) with all their events', () => {
    const sqli = JSON.stringify(countModeGroupRecord());
    const excluded = JSON.stringify(excludedAsCountRecord());
    // `}{` inside a value is not a record boundary.
    const hostile = JSON.stringify(wafRecord({}, { uri: '/x}{"timestamp":0}{' }));
    const records = [
      firehoseRecord('joined', `${sqli}${excluded}${hostile}`),
      firehoseRecord('lines', `${sqli}\n${excluded}\n`),
      firehoseRecord('single', hostile),
    ];
    const { response, counts, events, concatenated, failures } = run(records);
    expect(counts).toEqual({ in: 3, ok: 3, failed: 0 });
    expect({ events, concatenated, failures }).toEqual({ events: 6, concatenated: 2, failures: [] });
    const lines = response.records.map((r) => decode(r.data).split('\n'));
    expect(lines.map((l) => l.length - 1)).toEqual([3, 2, 1]);
    expect(lines.every((l) => l.at(-1) === '')).toBe(true);
    const joined = (lines[0] as string[]).slice(0, -1).map((l) => JSON.parse(l));
    expect(joined.map((e) => [e.rule_group, e.rule_id, e.rule_action])).toEqual([
      ['AWS#AWSManagedRulesSQLiRuleSet', 'SQLi_QUERYARGUMENTS', 'COUNT'],
      ['AWS#AWSManagedRulesSQLiRuleSet', 'SQLi_QUERYARGUMENTS', 'COUNT'],
      [null, null, null],
    ]);
    expect(joined[2].path).toBe('/x}{"timestamp":0}{');
    expect(response.records[0]?.metadata?.partitionKeys).toEqual({ dt: joined[0].dt });
  });

  it('keeps the good records of a joined record and reports each bad piece; mixed days fail whole', () => {
    const sqli = JSON.stringify(countModeGroupRecord());
    const nextDay = JSON.stringify(wafRecord({ timestamp: Date.UTC(2026, 10, 21, 0, 0, 1) }));
    const { response, counts, events, failures } = run([
      firehoseRecord('partly', `${sqli}{"not":"waf"}${sqli.slice(0, 100)}`),
      firehoseRecord('two-days', `${sqli}${nextDay}`),
    ]);
    expect(counts).toEqual({ in: 2, ok: 1, failed: 1 });
    expect(events).toBe(1);
    expect(response.records[0]?.result).toBe('Ok');
    expect(decode(response.records[0]?.data).split('\n')).toHaveLength(2);
    expect(response.records[1]).toMatchObject({
      result: 'ProcessingFailed',
      data: firehoseRecord('', `${sqli}${nextDay}`).data,
    });
    expect(failures).toEqual([
      {
        recordId: 'partly',
        reason: expect.stringMatching(
          /^not a WAF log record: .*\(record 2 of 3 written back to back in this Firehose record\)$/,
        ),
      },
      { recordId: 'partly', reason: expect.stringMatching(/^truncated JSON line \(record 3 of 3 /) },
      { recordId: 'two-days', reason: expect.stringMatching(/from 2 days \(2026-11-20, 2026-11-21\)/) },
    ]);
  });

  it('keeps hostile values inert: prototype keys, control characters, bidi overrides, huge fields', () => {
    const hostile = [
      `{"__proto__":{"polluted":true},${first.slice(1)}`,
      withField(first, (r) => {
        const req = r.httpRequest as Record<string, unknown>;
        req.uri = '/\u001b[2J\u202e\u0000wp-login.php\r\nX-Injected: 1';
        req.headers = [{ name: 'User-Agent', value: `"}\n{"injected":true,"x":"${'\u2028'.repeat(3)}` }];
      }),
      withField(first, (r) => {
        (r.httpRequest as Record<string, unknown>).args = 'a='.padEnd(900_000, 'x');
      }),
      withField(first, (r) => {
        r.labels = Array.from({ length: 5000 }, (_, i) => ({ name: `awswaf:x:${i}` }));
      }),
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      withField(first, (r) => {
        r.timestamp = 1e300;
      }),
    ];
    const ids = ['"quoted"\\id', '\u202eevil', '\u0000', 'normal', 'deep', 'huge-ts'];
    const records = hostile.map((text, i) => firehoseRecord(ids[i] as string, text));
    const { response } = run(records);

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(response.records.map((r) => r.recordId)).toEqual(ids);
    for (const out of response.records) {
      if (out.result !== 'Ok') continue;
      const text = decode(out.data);
      // One event is one line: no raw newline or separator can split it into two rows.
      expect(text.indexOf('\n')).toBe(text.length - 1);
      expect(JSON.parse(text)).toBeTypeOf('object');
      expect(out.metadata?.partitionKeys?.dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(response.records.map((r) => r.result)).toEqual([
      'Ok',
      'Ok',
      'Ok',
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
    ]);
  });

  it('never answers more than 6 MB: records past the limit fail instead of vanishing', () => {
    const big = withField(first, (r) => {
      (r.httpRequest as Record<string, unknown>).uri = `/${'p'.repeat(6_000)}`;
    });
    const n = 2_000;
    const records = Array.from({ length: n }, (_, i) => firehoseRecord(recordIdFor(i), big));
    const { response, counts, failures, responseBytes } = run(records);

    const bytes = Buffer.byteLength(JSON.stringify(response));
    expect(bytes).toBe(responseBytes);
    expect(bytes).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.ok + counts.failed).toBe(n);
    expect(failures.every((f) => f.reason.startsWith('response size limit'))).toBe(true);
    // The records that fit come first: the batch is answered in order, not reshuffled.
    const firstFailed = response.records.findIndex((r) => r.result !== 'Ok');
    expect(response.records.slice(firstFailed).every((r) => r.result === 'ProcessingFailed')).toBe(true);
  });
});

describe('transform handler (middy, powertools)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers Firehose and reports records in, out and failed, and events by verdict, as EMF', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const records = [...examples, 'not json'].map((text, i) => firehoseRecord(recordIdFor(i), text));
    const context = {
      functionName: 'transform',
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: () => 60_000,
    };
    const response = await handler(firehoseEvent(records), context as never);
    vi.restoreAllMocks();

    expect(response.records).toHaveLength(7);
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const totals = emf.find((m) => 'RecordsIn' in m);
    expect(totals).toMatchObject({ RecordsIn: 7, RecordsOut: 6, RecordsFailed: 1 });
    const byVerdict = emf.filter((m) => 'EventsByVerdict' in m);
    const expected: Record<string, number> = {};
    for (const text of examples) {
      const r = processRecordText(text);
      if (r.ok)
        expected[r.event.verdict ?? 'unclassified'] = (expected[r.event.verdict ?? 'unclassified'] ?? 0) + 1;
    }
    expect(Object.fromEntries(byVerdict.map((m) => [m.verdict, m.EventsByVerdict]))).toEqual(expected);
  });
});
