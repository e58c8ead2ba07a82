import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAnalysis } from '../../cli/commands/analyze.js';
import { openEngine } from '../../cli/commands/digest.js';
import { register as registerSuggest } from '../../cli/commands/suggest.js';
import { windowParams } from '../../src/analyze/window.js';
import { scopeToAccounts } from '../../src/engines/account-scope.js';
import { listSqlFiles, loadSqlFile } from '../../src/engines/sql-files.js';

const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());

const DAY = Date.UTC(2026, 10, 20);
const bigint = (name: string) => ({ Name: name, Type: 'bigint' });
const varchar = (name: string) => ({ Name: name, Type: 'varchar' });
const cells = (...values: Array<string | null>) => ({
  Data: values.map((v) => (v === null ? {} : { VarCharValue: v })),
});

/** What Athena answers per query file; the others come back empty. */
const answers: Record<
  string,
  { columns: Array<{ Name: string; Type: string }>; rows: Array<Array<string | null>> }
> = {
  window: {
    columns: ['first_ts', 'last_ts', 'events', 'web_acls', 'sites', 'client_ips'].map(bigint),
    rows: [[String(DAY), String(DAY + 3_600_000), '30', '1', '2', '3']],
  },
  totals: {
    columns: [varchar('action'), varchar('rule_action'), varchar('verdict'), bigint('requests')],
    rows: [
      ['ALLOW', null, null, '20'],
      ['BLOCK', 'BLOCK', 'likely-attack', '10'],
    ],
  },
};

/** Athena answering each query file from `answers`; the query texts (as `sent`) by file name. */
function answerQueries(sent: (text: string) => string = (text) => text): Map<string, string> {
  const texts = new Map(listSqlFiles().map((name) => [sent(loadSqlFile(name).text), name]));
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => ({
    QueryExecutionId: `${texts.get(input.QueryString) ?? 'unknown'}#${n++}`,
  }));
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: {
      StatementType: 'DML',
      Status: { State: 'SUCCEEDED' },
      Statistics: { DataScannedInBytes: 1 },
    },
  });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) => {
    const name = input.QueryExecutionId.split('#')[0] ?? '';
    const answer = answers[name] ?? { columns: [], rows: [] };
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: answer.columns },
        Rows: [cells(...answer.columns.map((c) => c.Name)), ...answer.rows.map((r) => cells(...r))],
      },
    };
  });
  return texts;
}

/** Every query Athena was asked to run: a file of queries/, on waftune-prod's workgroup and database. */
function queriesRanOnProd(texts: ReadonlyMap<string, string>, atLeast = 4) {
  const starts = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
  expect(starts.length).toBeGreaterThanOrEqual(atLeast);
  for (const start of starts) {
    expect(start.WorkGroup).toBe('waftune-prod');
    expect(start.QueryExecutionContext).toEqual({ Database: 'waftune_prod' });
    expect(texts.has(start.QueryString ?? '')).toBe(true);
  }
  return starts;
}

describe('waftune analyze --engine athena', () => {
  it('runs the same query files on the stack’s workgroup and database, and reports', async () => {
    const texts = answerQueries();

    const report = await runAnalysis(['s3://waftune-prod-logbucket/'], {
      engine: 'athena',
      athenaDatabase: 'waftune_prod',
      athenaWorkgroup: 'waftune-prod',
      progress: false,
      stateDir: '.waftune-test-unused',
    });

    const starts = queriesRanOnProd(texts);
    // The first query finds the data's span; every later one is pruned to its days.
    expect(texts.get(starts[0]?.QueryString ?? '')).toBe('window');
    for (const start of starts.slice(1)) {
      expect(start.ExecutionParameters?.slice(0, 2)).toEqual(["'2026-11-20'", "'2026-11-20'"]);
    }
    expect(report.totals.byAction).toMatchObject({ ALLOW: 20, BLOCK: 10 });
    expect(report.input.files).toBe(0);
  });

  it('suggest takes the same --athena-database and --athena-workgroup', async () => {
    const texts = answerQueries();
    const program = new Command('waftune').exitOverride();
    registerSuggest(program);
    let written = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(
        [
          'suggest',
          's3://waftune-prod-logbucket/',
          '--engine',
          'athena',
          '--athena-database',
          'waftune_prod',
          '--athena-workgroup',
          'waftune-prod',
          '--no-save',
          '--no-progress',
          '--json',
        ],
        { from: 'user' },
      );
    } finally {
      out.mockRestore();
      process.exitCode = undefined;
    }
    queriesRanOnProd(texts);
    expect(JSON.parse(written)).toMatchObject({ version: 1, suggestions: [] });
  });

  it('--account: every query reads only those accounts’ web ACLs', async () => {
    const accounts = ['111122223333', '444455556666'];
    const texts = answerQueries((text) => scopeToAccounts(text, ['waftune_prod', 'events'], accounts));

    const report = await runAnalysis(['s3://waftune-prod-logbucket/'], {
      engine: 'athena',
      athenaDatabase: 'waftune_prod',
      athenaWorkgroup: 'waftune-prod',
      account: accounts,
      progress: false,
      stateDir: '.waftune-test-unused',
    });

    // Each text is a query file with `events` cut to the accounts (account-scope.test.ts runs
    // the same rewrite on DuckDB against a cut table), and none went unscoped.
    const starts = queriesRanOnProd(texts);
    for (const start of starts)
      expect(start.QueryString).toContain(
        `events AS (SELECT * FROM "waftune_prod"."events" WHERE split_part(web_acl_arn, ':', 5) IN ('111122223333', '444455556666'))`,
      );
    expect(report.totals.byAction).toMatchObject({ ALLOW: 20, BLOCK: 10 });
    await expect(
      runAnalysis(['s3://waftune-prod-logbucket/'], {
        engine: 'athena',
        account: ['prod'],
        progress: false,
        stateDir: '.waftune-test-unused',
      }),
    ).rejects.toThrow(/--account prod: not a 12-digit account id/);
  });

  it('digest --account: the digest’s queries on Athena are scoped the same way', async () => {
    const accounts = ['111122223333'];
    const texts = answerQueries((text) => scopeToAccounts(text, ['waftune_prod', 'events'], accounts));
    const opened = await openEngine(
      [],
      {
        engine: 'athena',
        athenaDatabase: 'waftune_prod',
        athenaWorkgroup: 'waftune-prod',
        stage: 'prod',
        timeZone: 'UTC',
        stateDir: '.waftune-test-unused',
      },
      undefined,
      accounts,
    );
    try {
      await opened.engine.run('digest_totals', {
        ...windowParams({ fromTs: DAY, toTs: DAY + 86_400_000 }),
        origin_ts: DAY,
        bucket_ms: 3_600_000,
      });
    } finally {
      await opened.close();
    }
    const [start] = queriesRanOnProd(texts, 1);
    expect(texts.get(start?.QueryString ?? '')).toBe('digest_totals');
    expect(start?.QueryString).toContain(`WHERE split_part(web_acl_arn, ':', 5) IN ('111122223333')`);
  });

  it('refuses local paths: Athena reads the stack’s bucket', async () => {
    await expect(
      runAnalysis(['fixtures/demo'], { engine: 'athena', progress: false, stateDir: '.waftune-test-unused' }),
    ).rejects.toThrow(/not s3:\/\//);
  });
});
