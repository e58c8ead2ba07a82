import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setupRawLogs } from '../../cli/athena.js';
import { hostileRecords } from '../../fixtures/hostile.js';
import { loadLocal } from '../../src/analyze/local.js';
import {
  parseLogsUrl,
  rawEventsSelect,
  rawEventsViewDdl,
  rawTableDdl,
} from '../../src/engines/athena-raw.js';
import { DuckDbEngine } from '../../src/engines/duckdb.js';
import { AwsModelValidator, loadAwsModel } from '../support/aws-model-validator.js';
import { headerRecords } from '../support/header-records.js';
import { awsModelPath } from '../support/vendored.js';
import {
  countModeGroupRecord,
  countModeThenTerminatingRecord,
  customerGroupRecord,
  excludedAsCountRecord,
  terminatedAndCountedRecord,
  wafRecord,
} from '../support/waf-records.js';

/**
 * Athena over WAF's direct S3 delivery: `athena setup` through the real SDK (requests checked
 * against the Athena API model), and the view's SQL logic run on DuckDB (the same generator in
 * DuckDB's dialect) against the TypeScript normalize + classify, row for row.
 */

const model = new AwsModelValidator(loadAwsModel(awsModelPath('athena')));
const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());
const root = mkdtempSync(join(tmpdir(), 'waftune-athena-raw-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the raw-log table', () => {
  it('takes the account, region and web ACL from the URL or from the lists given', () => {
    expect(parseLogsUrl('s3://logs-bucket/AWSLogs/111122223333/WAFLogs/eu-west-1/wp-fleet/')).toEqual({
      bucket: 'logs-bucket',
      prefix: '',
      accounts: ['111122223333'],
      regions: ['eu-west-1'],
      webAcls: ['wp-fleet'],
    });
    expect(
      parseLogsUrl('s3://logs-bucket/waf/AWSLogs/', {
        accounts: ['1', '2'],
        regions: ['us-east-1'],
        webAcls: ['a', 'b'],
      }),
    ).toMatchObject({ prefix: 'waf/', accounts: ['1', '2'], webAcls: ['a', 'b'] });
    expect(() => parseLogsUrl('s3://logs-bucket/AWSLogs/')).toThrow(/account/);
    expect(() => parseLogsUrl('s3://logs-bucket/x/', {})).toThrow(/AWSLogs/);
    expect(() => parseLogsUrl("s3://b-1/AWSLogs/1/WAFLogs/r/a'b/")).toThrow(/letters/);
  });

  it('projects account, region, web ACL and day onto the direct-delivery layout', () => {
    const ddl = rawTableDdl(
      parseLogsUrl('s3://logs-bucket/AWSLogs/111122223333/WAFLogs/eu-west-1/wp-fleet/'),
      '2026/01/01',
    );
    expect(ddl).toContain("ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'");
    expect(ddl).toContain("'projection.enabled' = 'true'");
    expect(ddl).toContain("'projection.day.format' = 'yyyy/MM/dd'");
    expect(ddl).toContain("'projection.day.range' = '2026/01/01,NOW'");
    expect(ddl).toContain(
      "'storage.location.template' = 's3://logs-bucket/AWSLogs/${account}/WAFLogs/${region}/${webacl}/${day}/'",
    );
  });

  it("the view is Trino SQL: none of DuckDB's own function names", () => {
    const view = rawEventsViewDdl();
    expect(view).toMatch(/^CREATE OR REPLACE VIEW events AS/);
    for (const duckOnly of [
      'list_transform',
      'list_filter',
      'list_concat',
      'string_split',
      'strftime',
      'regexp_matches',
      'make_timestamp',
      '[-1]',
      'list_sort',
      'list_distinct',
    ])
      expect(view, duckOnly).not.toContain(duckOnly);
    expect(view).toContain('transform(');
    expect(view).toContain("replace(day, '/', '-') AS dt");
    // client_cdn's IPv6 branch: Trino's IP type over every shipped CIDR, CloudFront's first.
    expect(view).toMatch(
      /TRY_CAST\(client_ip AS IPADDRESS\) IS NOT NULL AND any_match\(ARRAY\['[0-9.]+\/\d+'/,
    );
    expect(view).toContain('array_sort(array_distinct(');
  });
});

describe('waftune athena setup', () => {
  it('creates the database, the table and the view through the Athena API', async () => {
    const started: string[] = [];
    athena.on(StartQueryExecutionCommand).callsFake((input) => {
      model.validateInput('StartQueryExecution', input);
      started.push(input.QueryString as string);
      return { QueryExecutionId: `q-${started.length}` };
    });
    athena.on(GetQueryExecutionCommand).callsFake((input) => {
      model.validateInput('GetQueryExecution', input);
      return {
        QueryExecution: {
          QueryExecutionId: input.QueryExecutionId,
          Status: { State: 'SUCCEEDED' },
          StatementType: 'DDL',
        },
      };
    });
    const said = await setupRawLogs({
      logs: 's3://logs-bucket/AWSLogs/111122223333/WAFLogs/eu-west-1/wp-fleet/',
      from: '2026/01/01',
      athenaDatabase: 'waftune_raw',
      athenaWorkgroup: 'waftune-dev',
      stateDir: root,
      region: 'eu-west-1',
    });
    expect(started).toHaveLength(3);
    expect(started[0]).toBe('CREATE DATABASE IF NOT EXISTS `waftune_raw`');
    expect(started[1]).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `waf_raw_logs`/);
    expect(started[2]).toMatch(/^CREATE OR REPLACE VIEW events AS/);
    const calls = athena.commandCalls(StartQueryExecutionCommand);
    expect(calls.every((c) => c.args[0].input.QueryExecutionContext?.Database === 'waftune_raw')).toBe(true);
    expect(said).toContain('--athena-database waftune_raw');
  });
});

describe("the view's SQL gives the events the TypeScript gives", () => {
  const MD =
    'STRUCT(conditionType VARCHAR, sensitivityLevel VARCHAR, location VARCHAR, matchedData VARCHAR[])[]';
  const RULE = `STRUCT(ruleId VARCHAR, action VARCHAR, overriddenAction VARCHAR, ruleMatchDetails ${MD})`;
  /** The raw table's columns as the JSON SerDe types them (strings for numbers where AWS says string). */
  const COLUMNS = {
    timestamp: 'BIGINT',
    webaclId: 'VARCHAR',
    terminatingRuleId: 'VARCHAR',
    terminatingRuleType: 'VARCHAR',
    action: 'VARCHAR',
    terminatingRuleMatchDetails: MD,
    httpSourceName: 'VARCHAR',
    ruleGroupList: `STRUCT(ruleGroupId VARCHAR, terminatingRule ${RULE}, nonTerminatingMatchingRules ${RULE}[], excludedRules STRUCT(exclusionType VARCHAR, ruleId VARCHAR)[])[]`,
    nonTerminatingMatchingRules: `${RULE}[]`,
    responseCodeSent: 'VARCHAR',
    httpRequest:
      'STRUCT(clientIp VARCHAR, country VARCHAR, headers STRUCT(name VARCHAR, value VARCHAR)[], uri VARCHAR, args VARCHAR, httpMethod VARCHAR, requestId VARCHAR, host VARCHAR)',
    labels: 'STRUCT(name VARCHAR)[]',
    ja3Fingerprint: 'VARCHAR',
    ja4Fingerprint: 'VARCHAR',
    requestBodySize: 'BIGINT',
    requestBodySizeInspectedByWAF: 'BIGINT',
    clientAsn: 'VARCHAR',
  };

  async function compare(dir: string, glob: string, skip: readonly string[] = []): Promise<void> {
    const duck = await DuckDbEngine.create();
    const exact = await loadLocal([dir], { rejectsFile: null, reader: 'exact', eventColumns: 'all' });
    try {
      const spec = `{${Object.entries(COLUMNS)
        .map(([k, v]) => `'${k}': '${v}'`)
        .join(', ')}}`;
      // DuckDB matches struct fields and columns by name without regard to case, as the SerDe does.
      await duck.sqlRun(
        `CREATE TABLE raw AS SELECT *, strftime(make_timestamp(timestamp * 1000), '%Y/%m/%d') AS day FROM read_json('${glob}', format = 'newline_delimited', columns = ${spec})`,
      );
      const cols = skip.length === 0 ? '*' : `* EXCLUDE (${skip.join(', ')})`;
      const view = await duck.sql(`SELECT ${cols} FROM (${rawEventsSelect('duckdb', 'raw')}) ORDER BY ALL`);
      const events = await exact.engine.sql(`SELECT ${cols} FROM events ORDER BY ALL`);
      expect(view.length).toBe(events.length);
      expect(view.map((r) => JSON.stringify(r))).toEqual(events.map((r) => JSON.stringify(r)));
    } finally {
      await duck.close();
      await exact.close();
    }
  }

  it('on the demo, every row and column', async () => {
    await compare('fixtures/demo/2026', 'fixtures/demo/2026/**/*.gz');
  }, 120_000);

  // The SQL attribution leaves out two of rule-match.ts's pairings (a Count-mode group's top-level
  // entry found only by equal match details or by position) and takes match details from the
  // terminating rule only: on these shapes the counted list, the group of some counts and their
  // match details may differ; which rule acted, the verdict, score and signals may not.
  it('on the real-record shapes (Count-mode groups, excluded rules, customer groups) and the hostile corpus', async () => {
    const shapes = [
      wafRecord(),
      countModeGroupRecord(),
      countModeGroupRecord('SQLiCountRule'),
      excludedAsCountRecord(true),
      countModeThenTerminatingRecord(),
      terminatedAndCountedRecord(),
      customerGroupRecord('enforce'),
      customerGroupRecord('count'),
      wafRecord({
        labels: [{ name: 'awswaf:111122223333:webacl:wp-fleet:waftune:wp-logged-in' }],
        nonTerminatingMatchingRules: [
          { ruleId: 'waftune-evidence-wp-logged-in', action: 'COUNT', ruleMatchDetails: [] },
        ],
      }),
    ];
    // Well-formed text only: what a lone surrogate becomes in the SerDe is Athena's to say.
    const records = [
      ...shapes,
      ...shapes.flatMap((s) => hostileRecords(s)),
      // IPv6 client addresses: the view tests them with Trino's IPADDRESS type, which DuckDB lacks.
      ...[
        ...headerRecords(300, 20261203),
        ...headerRecords(40, 8, {
          action: 'BLOCK',
          terminatingRuleId: 'ip-block',
          terminatingRuleType: 'REGULAR',
        }),
      ].filter((r) => !String((r.httpRequest as { clientIp: string }).clientIp).includes(':')),
    ].filter((r) => !/\\ud[89a-f]/i.test(JSON.stringify(r)));
    const dir = join(root, 'shapes');
    rmSync(dir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'records.jsonl'), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    await compare(dir, join(dir, '*.jsonl'), [
      'counted_rules',
      'rule_group',
      'acl_rule',
      'condition_type',
      'match_location',
      'matched_data',
    ]);
  }, 120_000);
});
