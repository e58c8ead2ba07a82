import {
  AthenaClient,
  type AthenaClientConfig,
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  AthenaEngine,
  type AthenaEngineOptions,
  type AthenaPort,
  type AthenaState,
} from '../src/engines/athena.js';
import { awsClientConfig } from './aws-client-config.js';

/**
 * AthenaPort over the AWS SDK. The client takes the standard SDK configuration (profile, region,
 * AWS_ENDPOINT_URL_ATHENA) unless one is passed in.
 */

/** The names serverless.yml gives a stage's workgroup and database. */
export function defaultAthenaNames(stage = 'dev'): { workGroup: string; database: string } {
  return { workGroup: `waftune-${stage}`, database: `waftune_${stage}` };
}

// A page of GetQueryResults holds at most 1,000 rows.
const PAGE_SIZE = 1000;

export function athenaPort(client: AthenaClient): AthenaPort {
  return {
    async startQuery(input) {
      const out = await client.send(
        new StartQueryExecutionCommand({
          QueryString: input.queryString,
          WorkGroup: input.workGroup,
          QueryExecutionContext: {
            Database: input.database,
            ...(input.catalog ? { Catalog: input.catalog } : {}),
          },
          ...(input.executionParameters ? { ExecutionParameters: input.executionParameters } : {}),
        }),
      );
      if (!out.QueryExecutionId) throw new Error('Athena started a query without an id');
      return out.QueryExecutionId;
    },
    async getQuery(id) {
      const out = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const q = out.QueryExecution;
      const reason = q?.Status?.AthenaError?.ErrorMessage ?? q?.Status?.StateChangeReason;
      const bytes = q?.Statistics?.DataScannedInBytes;
      return {
        state: (q?.Status?.State ?? 'QUEUED') as AthenaState,
        ...(reason ? { reason } : {}),
        ...(bytes !== undefined ? { bytesScanned: bytes } : {}),
        ...(q?.StatementType ? { statementType: q.StatementType } : {}),
      };
    },
    async *results(id) {
      for await (const out of paginateGetQueryResults(
        { client, pageSize: PAGE_SIZE },
        { QueryExecutionId: id },
      )) {
        const columns = (out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
          name: c.Name ?? c.Label ?? '',
          type: c.Type ?? 'varchar',
        }));
        const rows = (out.ResultSet?.Rows ?? []).map((r) =>
          (r.Data ?? []).map((d) => d.VarCharValue ?? null),
        );
        yield { columns, rows, ...(out.NextToken ? { nextToken: out.NextToken } : {}) };
      }
    },
    async stopQuery(id) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    },
  };
}

export interface AthenaConnectOptions extends Omit<AthenaEngineOptions, 'port'> {
  client?: AthenaClient;
  /** SDK configuration when no client is given, e.g. `{ profile, region }`. */
  clientConfig?: AthenaClientConfig;
}

export function createAthenaEngine(options: AthenaConnectOptions): AthenaEngine {
  const { client, clientConfig, ...engine } = options;
  return new AthenaEngine({
    ...engine,
    port: athenaPort(client ?? new AthenaClient(awsClientConfig(clientConfig))),
  });
}
