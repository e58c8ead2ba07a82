import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS, hostileRecords, INVALID_UTF8_LINE } from '../../fixtures/hostile.js';
import { transformBatch } from '../../functions/transform/transform.js';
import { type LocalLoad, loadLocal } from '../../src/analyze/local.js';
import { DuckDbEngine } from '../../src/engines/duckdb.js';
import { processRecordText } from '../../src/ingest/process.js';
import { TRAPS } from '../support/duckdb-eval.js';
import { headerRecords } from '../support/header-records.js';
import { awsDocExampleLines } from '../support/vendored.js';
import {
  countModeGroupRecord,
  countModeThenTerminatingRecord,
  customerGroupRecord,
  excludedAsCountRecord,
  terminatedAndCountedRecord,
  wafRecord,
} from '../support/waf-records.js';

/**
 * The fast local reader (DuckDB reads the records no rule matched, with the normalization and
 * signals compiled to SQL) against the exact reader (the Lambda's TypeScript on every record): the
 * same events, the same input figures and the same rejects, on the demo, the hostile corpus, the
 * real-record shapes, AWS's examples and generated records with Unicode traps. And the Lambda's
 * events for the same records are the same rows.
 */

const root = mkdtempSync(join(tmpdir(), 'waftune-fast-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Json = Record<string, unknown>;
const lines = (records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** An allowed request that no rule matched, with `s` in every field the SQL normalization reads. */
function allowedWith(s: string, i: number): Json {
  return wafRecord(
    {
      timestamp: Date.UTC(2026, 10, 20, 10, 30) + i,
      labels:
        i % 3 === 0
          ? [{ name: s }, { name: 'awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList' }]
          : [],
      httpSourceName: i % 4 === 0 ? '-' : s,
      terminatingRuleType: i % 5 === 0 ? null : s,
      ja3Fingerprint: s,
      clientAsn: i % 2 === 0 ? 16509 : s,
      responseCodeSent: i % 2 === 0 ? 200 : null,
      requestBodySize: i % 3 === 0 ? 1234 : null,
    },
    {
      uri: `/${s}`,
      args: `q=${s}&p=${s.isWellFormed() ? encodeURIComponent(s) : s}`,
      host: i % 2 === 0 ? ` ${s}.Example.COM ` : null,
      country: s.slice(0, 4),
      requestId: i % 7 === 0 ? 'null' : s,
      httpMethod: i % 2 === 0 ? `p${s.slice(0, 3)}ost` : 'POST',
      headers: [
        { name: i % 2 === 0 ? 'Host' : 'HOST', value: `${s}\u00a0` },
        { name: 'User-Agent', value: i % 3 === 0 ? `\u2028curl/8 ${s}` : `${s} sqlmap` },
        { name: s || 'x', value: s },
        { name: 'cookie', value: `wordpress_${s}=1; ${s}=2;wordpress_logged_in_${i}=3` },
        { name: 'Cookie', value: i % 5 === 0 ? 'REDACTED' : `${s}` },
        { name: 'referer', value: s },
        { name: 'user-agent', value: i % 4 === 0 ? s : null },
      ],
    },
  );
}

const SHAPES = [
  wafRecord(),
  countModeGroupRecord(),
  excludedAsCountRecord(true),
  excludedAsCountRecord(false),
  countModeThenTerminatingRecord(),
  terminatedAndCountedRecord(),
  customerGroupRecord('enforce'),
  customerGroupRecord('count'),
];

const trapText = fc
  .array(
    fc.oneof(fc.constantFrom(...TRAPS), fc.constantFrom(...'aZ/%.-_;= %2F%FF+'.split('')), fc.string()),
    {
      maxLength: 8,
    },
  )
  .map((p) => p.join(''));

function writeInputs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const hostile = [...HOSTILE_STRINGS, ...TRAPS];
  writeFileSync(join(dir, 'allowed-hostile.json.gz'), gzipSync(lines(hostile.map(allowedWith))));
  writeFileSync(join(dir, 'matched-hostile.log'), lines(SHAPES.flatMap((s) => hostileRecords(s))));
  writeFileSync(join(dir, 'shapes.gz.txt'), gzipSync(lines(SHAPES))); // gzip whatever the name says
  writeFileSync(join(dir, 'aws-examples.gz'), `${awsDocExampleLines().join('\n')}\n`); // plain despite .gz
  // waftune's evidence rule and label (schemas/waftune-labels.ts): a login the log redacted, a count that explains nothing.
  const evidence = [0, 1, 2, 3].map((i) => ({
    ...allowedWith(`e${i}`, i),
    labels: [
      {
        name:
          i % 2 === 0
            ? 'awswaf:111122223333:webacl:wp-fleet:waftune:wp-logged-in'
            : 'awswaf:managed:x:waftune:wp-logged-in',
      },
    ],
    nonTerminatingMatchingRules:
      i < 2 ? [{ ruleId: 'waftune-evidence-wp-logged-in', action: 'COUNT', ruleMatchDetails: [] }] : [],
  }));
  writeFileSync(join(dir, 'evidence.jsonl'), lines(evidence));
  // Forwarded addresses, Authorization schemes, identifying headers, session cookies, CDN clients.
  writeFileSync(
    join(dir, 'headers.jsonl'),
    lines([
      ...headerRecords(400, 20261202),
      ...headerRecords(40, 7, {
        action: 'BLOCK',
        terminatingRuleId: 'ip-block',
        terminatingRuleType: 'REGULAR',
      }),
    ]),
  );
  const generated = fc.sample(trapText, { numRuns: 400, seed: 20261201 });
  writeFileSync(join(dir, 'generated.jsonl'), lines(generated.map((s, i) => allowedWith(s, i + 100))));
  // Files DuckDB refuses or could misread: each must end up exactly as the exact reader has it.
  writeFileSync(
    join(dir, 'invalid-utf8.jsonl'),
    Buffer.concat([
      Buffer.from(lines([wafRecord()])),
      INVALID_UTF8_LINE,
      Buffer.from('\n'),
      Buffer.from(lines([allowedWith('after', 1)])),
    ]),
  );
  writeFileSync(
    join(dir, 'lone-surrogate.jsonl'),
    `${lines([wafRecord()])}{"timestamp":1,"x":"\\ud800"}\n${lines([allowedWith('z', 2)])}`,
  );
  writeFileSync(
    join(dir, 'back-to-back.jsonl'),
    `${JSON.stringify(allowedWith('a', 1))}${JSON.stringify(allowedWith('b', 2))}\n${lines([allowedWith('c', 3)])}`,
  );
  const wrongTypes = [
    { ...allowedWith('t', 1), timestamp: '1795218511948' },
    allowedWith('h', 2),
    { ...allowedWith('n', 3), httpRequest: { ...(allowedWith('n', 3).httpRequest as Json), uri: 5 } },
    {
      ...allowedWith('v', 4),
      httpRequest: { ...(allowedWith('v', 4).httpRequest as Json), headers: [{ name: 'x', value: 5 }] },
    },
    { ...allowedWith('m', 5), webaclId: undefined },
    { ...allowedWith('f', 6), timestamp: 1.5 },
    { ...allowedWith('a', 7), clientAsn: '00123' },
    {},
  ];
  writeFileSync(join(dir, 'wrong-types.jsonl'), `${lines(wrongTypes)}\nnot json\n[1,2]\nnull\n`);
  const good = gzipSync(lines([allowedWith('g', 1), wafRecord(), allowedWith('h', 2)]));
  writeFileSync(join(dir, 'truncated.gz'), good.subarray(0, good.length - 12));
  const badCrc = Buffer.from(good);
  badCrc[badCrc.length - 6] = (badCrc[badCrc.length - 6] as number) ^ 0xff;
  writeFileSync(join(dir, 'bad-crc.gz'), badCrc);
  writeFileSync(join(dir, 'empty.jsonl'), '');
  writeFileSync(join(dir, 'blank-lines.jsonl'), `\n\n${lines([allowedWith('b', 9)])}\n  \n`);
}

async function rows(load: LocalLoad): Promise<string[]> {
  const r = await load.engine.sql('SELECT * FROM events ORDER BY ALL');
  return r.map((x) => JSON.stringify(x));
}

const rejectKey = (p: { file: string; line: number | null; reason: string }) =>
  `${p.file}:${p.line}:${p.reason}`;

describe('the fast reader gives what the exact reader gives', () => {
  const inputs = join(root, 'inputs');
  const demo = join(root, 'demo');
  beforeAll(() => {
    writeInputs(inputs);
    cpSync('fixtures/demo', demo, { recursive: true });
  });

  for (const [name, dir] of [
    ['hostile, real-record shapes, AWS examples, generated records and broken files', () => inputs],
    ['the demo', () => demo],
  ] as const) {
    it(`on ${name}`, async () => {
      const loads = await Promise.all(
        (['exact', 'fast'] as const).map((reader) =>
          loadLocal([dir()], {
            rejectsFile: join(root, `${reader}-${name.length}.jsonl`),
            reader,
            workers: 2,
            eventColumns: 'all',
          }),
        ),
      );
      const [exact, fast] = loads as [LocalLoad, LocalLoad];
      try {
        expect(fast.stats).toEqual(exact.stats);
        expect(fast.rejects.total).toBe(exact.rejects.total);
        expect(fast.rejects.byReason).toEqual(exact.rejects.byReason);
        expect(fast.rejects.samples.map(rejectKey).sort()).toEqual(
          exact.rejects.samples.map(rejectKey).sort(),
        );
        expect([...fast.concatenated].sort((a, b) => a.file.localeCompare(b.file))).toEqual(
          [...exact.concatenated].sort((a, b) => a.file.localeCompare(b.file)),
        );
        const [a, b] = await Promise.all([rows(exact), rows(fast)]);
        expect(b.length).toBe(a.length);
        expect(b).toEqual(a);
        // And most records really were read in SQL, not all handed back to the exact reader.
        const [kinds] = await fast.engine.sql(
          'SELECT count(*) FILTER (WHERE kind = 0) AS sql, count(*) FILTER (WHERE kind = 2) AS exact FROM events_local',
        );
        expect(Number(kinds?.sql)).toBeGreaterThan(Number(kinds?.exact));
      } finally {
        await Promise.all(loads.map((l) => l.close()));
      }
    }, 180_000);
  }

  it('the Lambda gives the same events as the fast reader for the same records', async () => {
    const dir = join(root, 'lambda');
    mkdirSync(dir, { recursive: true });
    const texts = [...HOSTILE_STRINGS, ...TRAPS].map((s, i) => JSON.stringify(allowedWith(s, i)));
    texts.push(...SHAPES.map((s) => JSON.stringify(s)));
    writeFileSync(join(dir, 'records.jsonl'), `${texts.join('\n')}\n`);
    const fast = await loadLocal([dir], {
      rejectsFile: null,
      reader: 'fast',
      workers: 2,
      eventColumns: 'all',
    });
    const lambda = await DuckDbEngine.create();
    try {
      const out = transformBatch(
        {
          records: texts.map((t, i) => ({
            recordId: `r${i}`,
            approximateArrivalTimestamp: 0,
            data: Buffer.from(t).toString('base64'),
          })),
        },
        processRecordText,
      );
      expect(out.counts.failed).toBe(0);
      const events = out.response.records.flatMap((r) =>
        Buffer.from(r.data ?? '', 'base64')
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l)),
      );
      await lambda.loadEvents(events);
      const [a, b] = await Promise.all([
        lambda.sql('SELECT * FROM events ORDER BY ALL'),
        fast.engine.sql('SELECT * FROM events ORDER BY ALL'),
      ]);
      expect(b.map((x) => JSON.stringify(x))).toEqual(a.map((x) => JSON.stringify(x)));
    } finally {
      await fast.close();
      await lambda.close();
    }
  }, 120_000);
});
