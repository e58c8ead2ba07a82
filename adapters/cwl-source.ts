import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  type FilterLogEventsCommandInput,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import type { InputProblem } from '../src/ingest/read-lines.js';
import type { RecordSource, SourceRecord } from '../src/ingest/record-source.js';
import { awsClientConfig } from './aws-client-config.js';

/**
 * `waftune analyze cwl://<log-group>`: the WAF records a web ACL logs to a CloudWatch Logs log
 * group (the destination's name starts with `aws-waf-logs-`; each log event's message is one WAF
 * record), read over a time window with FilterLogEvents, all streams interleaved, and handed to
 * the same reader as lines of a file.
 *
 * Why FilterLogEvents and not Logs Insights: the reader needs every whole record, not an
 * aggregate. FilterLogEvents reads are not billed per call or per byte and return up to 1 MB or
 * 10,000 events a page; Insights bills $0.005 per GB scanned and returns at most 10,000 rows a
 * query, so a day of a busy fleet would need the window cut into hundreds of queries, each
 * checked for truncation (a cut-off result would lose records silently). Insights would pay off
 * only for aggregates computed in the service, which would bypass the reader and its rejects.
 * FilterLogEvents is limited to 5 calls a second per account and region (a hard quota shared
 * with everyone else calling it): calls are sent at most that often, and the SDK's adaptive
 * retry backs off further on ThrottlingException.
 */

export const CWL_SCHEME = 'cwl://';

/** FilterLogEvents' quota: 5 transactions a second per account and region. */
export const FILTER_LOG_EVENTS_TPS = 5;

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_GROUP_ARN = /^arn:aws[\w-]*:logs:[\w-]+:\d{12}:log-group:[.\-_/#A-Za-z0-9]{1,512}(?::\*)?$/;

export function isCwlUrl(source: string): boolean {
  return source.startsWith(CWL_SCHEME);
}

/** `cwl://<name>` or `cwl://<log group ARN>` (another account's group shared with this one). */
export function parseCwlUrl(url: string): {
  logGroup: string;
  input: Pick<FilterLogEventsCommandInput, 'logGroupName' | 'logGroupIdentifier'>;
} {
  if (!isCwlUrl(url)) throw new Error(`not a cwl:// source: ${url}`);
  const group = url.slice(CWL_SCHEME.length);
  if (LOG_GROUP_ARN.test(group))
    return { logGroup: group, input: { logGroupIdentifier: group.replace(/:\*$/, '') } };
  if (!LOG_GROUP_NAME.test(group)) {
    throw new Error(
      `${url}: not a log group name (1-512 of A-Z a-z 0-9 . - _ / #; WAF's destinations are named aws-waf-logs-...)`,
    );
  }
  return { logGroup: group, input: { logGroupName: group } };
}

/**
 * The CloudWatch Logs client: the standard SDK configuration (profile, region,
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS) with adaptive retry, which adds client-side rate limiting to
 * the backoff once the service throttles, waftune's user agent (aws-client-config.ts), and a floor under the time between two sends (every
 * attempt, retries included) of `1000 / callsPerSecond` ms, so that waftune alone never exceeds
 * the quota. One place, so the shared AWS client settings can be adopted here.
 */
export function createLogsClient(
  config: CloudWatchLogsClientConfig = {},
  { callsPerSecond = FILTER_LOG_EVENTS_TPS }: { callsPerSecond?: number } = {},
): CloudWatchLogsClient {
  const client = new CloudWatchLogsClient(
    awsClientConfig({ retryMode: 'adaptive', maxAttempts: 8, ...config }),
  );
  if (callsPerSecond > 0) {
    const interval = 1000 / callsPerSecond;
    let next = 0;
    client.middlewareStack.add(
      (handler) => async (args) => {
        const at = Math.max(Date.now(), next);
        next = at + interval;
        // A timer counts from the event loop's cached clock and can fire early: wait until it is time;
        // and a late one moves the next slot back with it.
        for (let wait = at - Date.now(); wait > 0; wait = at - Date.now()) await sleep(wait);
        next = Math.max(next, Date.now() + interval);
        return handler(args);
      },
      // Closest to the wire: below the retry middleware, so each attempt is paced.
      { step: 'deserialize', priority: 'low', name: 'waftunePaceCalls' },
    );
  }
  return client;
}

export interface CwlReadOptions {
  /** Window, epoch ms, both ends inclusive as FilterLogEvents takes them. */
  startTime: number;
  endTime: number;
  client?: CloudWatchLogsClient;
  /** Events per page (FilterLogEvents' `limit`, at most 10,000); default: the service's. */
  pageSize?: number;
}

export interface CwlReadStats {
  calls: number;
  events: number;
  bytes: number;
}

/** Errors that say the source itself is wrong: no point reading on, and nothing was read. */
const FATAL = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'InvalidParameterException',
  'UnrecognizedClientException',
]);

/** A log group over a window, as records for the local reader. */
export function cloudWatchLogsSource(
  url: string,
  options: CwlReadOptions,
): RecordSource & { stats: CwlReadStats } {
  const { logGroup, input } = parseCwlUrl(url);
  const stats: CwlReadStats = { calls: 0, events: 0, bytes: 0 };
  return {
    name: url,
    stats,
    async *records(onProblem: (problem: InputProblem) => void): AsyncGenerator<SourceRecord> {
      const client = options.client ?? createLogsClient();
      const pages = paginateFilterLogEvents(
        { client, ...(options.pageSize ? { pageSize: options.pageSize } : {}) },
        { ...input, startTime: options.startTime, endTime: options.endTime },
      );
      try {
        // FilterLogEvents may answer a page with no events and a nextToken while it searches on:
        // the paginator follows the token until there is none.
        for await (const page of pages) {
          stats.calls++;
          for (const e of page.events ?? []) {
            const place = {
              file: `${CWL_SCHEME}${logGroup}/${e.logStreamName ?? '(no stream)'}`,
              line: null,
              event: {
                id: e.eventId ?? '(no id)',
                time: e.timestamp === undefined ? '(no time)' : new Date(e.timestamp).toISOString(),
              },
            };
            if (!e.message) {
              onProblem({ ...place, reason: 'empty log event', excerpt: null });
              continue;
            }
            stats.events++;
            stats.bytes += Buffer.byteLength(e.message, 'utf8');
            yield { text: e.message, place };
          }
        }
      } catch (error) {
        const name = (error as Error).name;
        if (FATAL.has(name))
          throw new Error(`${url}: ${name}: ${(error as Error).message}`, { cause: error });
        // Throttled past every retry, or the service failed: what was read stays, the rest is a reject.
        onProblem({
          file: url,
          line: null,
          reason: `CloudWatch Logs read failed (${name}: ${(error as Error).message}) after ${stats.events} event(s) in ${stats.calls} call(s)`,
          excerpt: null,
        });
      }
    },
  };
}
