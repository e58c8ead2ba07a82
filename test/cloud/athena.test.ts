import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { athenaPort, createAthenaEngine } from '../../adapters/athena.js';
import { AthenaEngine, AthenaQueryError, athenaCostUsd } from '../../src/engines/athena.js';
import { athenaLiteral } from '../../src/engines/athena-params.js';
import { loadSqlFile } from '../../src/engines/sql-files.js';
import { AwsModelValidator, loadAwsModel } from '../support/aws-model-validator.js';
import { awsModelPath } from '../support/vendored.js';

const model = new AwsModelValidator(loadAwsModel(awsModelPath('athena')));

const WINDOW = {
  from_dt: '2026-11-19',
  to_dt: '2026-11-20',
  from_ts: Date.UTC(2026, 10, 19, 12),
  to_ts: Date.UTC(2026, 10, 20, 12),
};

const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());

function engine(extra: Partial<ConstructorParameters<typeof AthenaEngine>[0]> = {}) {
  const slept: number[] = [];
  let clock = 0;
  const e = new AthenaEngine({
    port: athenaPort(new AthenaClient({ region: 'eu-west-1' })),
    workGroup: 'waftune-test',
    database: 'waftune_test',
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
    ...extra,
  });
  return { engine: e, slept };
}

const header = (...names: string[]) => ({ Data: names.map((n) => ({ VarCharValue: n })) });
const row = (...values: Array<string | undefined>) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});
const TOP_RULES_COLUMNS = [
  { Name: 'rule_group', Type: 'varchar' },
  { Name: 'rule_id', Type: 'varchar' },
  { Name: 'rule_action', Type: 'varchar' },
  { Name: 'requests', Type: 'bigint' },
  { Name: 'client_ips', Type: 'bigint' },
  { Name: 'sites', Type: 'bigint' },
  { Name: 'web_acls', Type: 'bigint' },
];

describe('Athena engine (SDK, mocked)', () => {
  it('binds parameters as literals, polls with backoff, pages through results and types the rows', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({
        QueryExecution: {
          StatementType: 'DML',
          Status: { State: 'SUCCEEDED' },
          Statistics: { DataScannedInBytes: 52_428_800 },
        },
      });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: TOP_RULES_COLUMNS },
          Rows: [
            header('rule_group', 'rule_id', 'rule_action', 'requests', 'client_ips', 'sites', 'web_acls'),
            row(
              'AWS#AWSManagedRulesCommonRuleSet',
              'SizeRestrictions_BODY',
              'BLOCK',
              '1200',
              '45',
              '12',
              '3',
            ),
          ],
        },
        NextToken: 'page-2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'page-2' })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: TOP_RULES_COLUMNS },
          // The first row of a later page is data, even when it reads like the header.
          Rows: [
            row('rule_group', 'rule_id', 'rule_action', '1', '1', '1', '1'),
            row(undefined, 'my-rate-limit', 'BLOCK', '7', '1', '1', '1'),
          ],
        },
      });

    const { engine: e, slept } = engine();
    const result = await e.run('top_rules', { ...WINDOW, max_rows: 20 });

    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start).toEqual({
      QueryString: loadSqlFile('top_rules').text,
      WorkGroup: 'waftune-test',
      QueryExecutionContext: { Database: 'waftune_test' },
      ExecutionParameters: [
        "'2026-11-19'",
        "'2026-11-20'",
        String(WINDOW.from_ts),
        String(WINDOW.to_ts),
        '20',
      ],
    });
    expect(model.validateInput('StartQueryExecution', start)).toEqual([]);
    for (const call of athena.commandCalls(GetQueryResultsCommand)) {
      expect(model.validateInput('GetQueryResults', call.args[0].input)).toEqual([]);
    }
    expect(slept).toEqual([250, 500, 1000]);
    expect(result.rows).toEqual([
      {
        rule_group: 'AWS#AWSManagedRulesCommonRuleSet',
        rule_id: 'SizeRestrictions_BODY',
        rule_action: 'BLOCK',
        requests: 1200,
        client_ips: 45,
        sites: 12,
        web_acls: 3,
      },
      {
        rule_group: 'rule_group',
        rule_id: 'rule_id',
        rule_action: 'rule_action',
        requests: 1,
        client_ips: 1,
        sites: 1,
        web_acls: 1,
      },
      {
        rule_group: null,
        rule_id: 'my-rate-limit',
        rule_action: 'BLOCK',
        requests: 7,
        client_ips: 1,
        sites: 1,
        web_acls: 1,
      },
    ]);
    expect(result.stats.bytesScanned).toBe(52_428_800);
    expect(result.stats.costUsd).toBeCloseTo((50 / 1024 / 1024) * 5, 12);
  });

  it('reports a failed query with Athena’s reason and reads no results', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: 'Query exhausted resources',
          AthenaError: { ErrorMessage: 'Bytes scanned limit was exceeded', ErrorCategory: 2 },
        },
        Statistics: { DataScannedInBytes: 10_737_418_240 },
      },
    });
    const { engine: e } = engine();
    const error = await e.run('totals', WINDOW).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as AthenaQueryError).message).toMatch(
      /totals \(q-2\) failed: Bytes scanned limit was exceeded/,
    );
    expect((error as AthenaQueryError).state).toBe('FAILED');
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('stops a query that outlives its timeout', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const { engine: e, slept } = engine({ timeoutMs: 20_000, maxPollMs: 4_000 });
    const error = await e.run('totals', WINDOW).catch((err: unknown) => err);
    expect((error as AthenaQueryError).state).toBe('TIMEOUT');
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-3' },
    ]);
    // Backoff doubles up to the cap, and the last wait ends at the deadline.
    expect(slept).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000, 4000, 250]);
  });

  it('stops the running query when the caller aborts', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-4' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const controller = new AbortController();
    const e = new AthenaEngine({
      port: athenaPort(new AthenaClient({ region: 'eu-west-1' })),
      workGroup: 'waftune-test',
      database: 'waftune_test',
      signal: controller.signal,
      pollMs: 5,
    });
    setTimeout(() => controller.abort(new Error('user pressed ctrl-c')), 30);
    const error = await e.run('totals', WINDOW).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(/aborted; stopped|ctrl-c/);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  it('a hostile value stays a literal: the query text is the file, untouched', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-5' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    const { engine: e } = engine();
    const hostile = "2026-11-19' OR 1=1; DROP TABLE events; --";
    const result = await e.run('totals', { ...WINDOW, from_dt: hostile });
    const input = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input?.QueryString).toBe(loadSqlFile('totals').text);
    expect(input?.ExecutionParameters?.[0]).toBe("'2026-11-19'' OR 1=1; DROP TABLE events; --'");
    expect(result.rows).toEqual([]);
    expect(result.stats.costUsd).toBe(athenaCostUsd(0));
  });
});

describe('Athena literals and cost', () => {
  it('renders each declared type as a Trino literal of that type', () => {
    expect(athenaLiteral("it's", 'string')).toBe("'it''s'");
    expect(athenaLiteral('', 'string')).toBe("''");
    expect(athenaLiteral(1_763_640_000_000, 'bigint')).toBe('1763640000000');
    expect(athenaLiteral(-3, 'bigint')).toBe('-3');
    expect(athenaLiteral(2.5, 'double')).toBe('2.5E+0');
    expect(athenaLiteral(3, 'double')).toBe('3E+0');
    expect(athenaLiteral(true, 'boolean')).toBe('TRUE');
    expect(athenaLiteral(null, 'string')).toBe('NULL');
    expect(() => athenaLiteral(1.5, 'bigint')).toThrow(/not a valid bigint/);
    expect(() => athenaLiteral(Number.NaN, 'double')).toThrow(/not a valid double/);
    expect(() => athenaLiteral('x'.repeat(1100), 'string')).toThrow(/too long/);
  });

  it('bills at least 10 MB, rounded up to the MB, at $5 per TB', () => {
    const MB = 1024 * 1024;
    expect(athenaCostUsd(0)).toBeCloseTo((10 * MB * 5) / 1024 ** 4, 15);
    expect(athenaCostUsd(10 * MB + 1)).toBeCloseTo((11 * MB * 5) / 1024 ** 4, 15);
    expect(athenaCostUsd(1024 ** 4)).toBe(5);
  });
});

describe('Athena engine over HTTP (real SDK, local endpoint, standard configuration)', () => {
  let server: Server;
  const requests: Array<{ target: string; body: unknown }> = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    athena.restore();
    let polls = 0;
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
        const body = JSON.parse(text || '{}') as Record<string, unknown>;
        requests.push({ target, body });
        const reply = (status: number, payload: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(payload));
        };
        const problems = model.validateInput(target, body);
        if (problems.length > 0)
          return reply(400, { __type: 'InvalidRequestException', Message: problems.join('; ') });
        if (target === 'StartQueryExecution') return reply(200, { QueryExecutionId: 'local-1' });
        if (target === 'GetQueryExecution') {
          polls++;
          const state = polls < 2 ? 'RUNNING' : 'SUCCEEDED';
          return reply(200, {
            QueryExecution: {
              StatementType: 'DML',
              Status: { State: state },
              Statistics: { DataScannedInBytes: 1234 },
            },
          });
        }
        if (target === 'GetQueryResults') {
          return reply(200, {
            ResultSet: {
              ResultSetMetadata: {
                ColumnInfo: [
                  { Name: 'action', Type: 'varchar' },
                  { Name: 'rule_action', Type: 'varchar' },
                  { Name: 'verdict', Type: 'varchar' },
                  { Name: 'requests', Type: 'bigint' },
                ],
              },
              Rows: [
                header('action', 'rule_action', 'verdict', 'requests'),
                row('BLOCK', 'BLOCK', 'likely-attack', '42'),
              ],
            },
          });
        }
        return reply(400, { __type: 'InvalidRequestException', Message: `unexpected ${target}` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    process.env.AWS_ENDPOINT_URL_ATHENA = `http://127.0.0.1:${port}`;
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    delete process.env.AWS_PROFILE;
  });

  afterAll(async () => {
    process.env = saved;
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends model-valid requests and reads the answer', async () => {
    const e = createAthenaEngine({ workGroup: 'waftune-test', database: 'waftune_test', pollMs: 1 });
    const result = await e.run('totals', WINDOW);
    expect(result.rows).toEqual([
      { action: 'BLOCK', rule_action: 'BLOCK', verdict: 'likely-attack', requests: 42 },
    ]);
    expect(result.stats.bytesScanned).toBe(1234);
    expect(requests.map((r) => r.target)).toEqual([
      'StartQueryExecution',
      'GetQueryExecution',
      'GetQueryExecution',
      'GetQueryResults',
    ]);
    expect(requests[0]?.body).toMatchObject({ ExecutionParameters: expect.any(Array) });
    expect(
      (requests[0]?.body as { ExecutionParameters?: string[] } | undefined)?.ExecutionParameters,
    ).toHaveLength(4);
  });
});
