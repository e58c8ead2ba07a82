import { AwsError, AwsJsonEndpoint, type AwsJsonRequest, type Json } from './aws-json-endpoint.js';
import { AwsModelValidator, loadAwsModel } from './aws-model-validator.js';
import { awsModelPath } from './vendored.js';

/**
 * A local CloudWatch Logs for tests: a real HTTP server speaking the awsJson1_1 protocol the real
 * SDK speaks (`X-Amz-Target: Logs_20140328.<Operation>`), holding log groups of events, and
 * checking every request against the published service model
 * (vendor/aws-models/logs.service-2.json) before looking at it, and every answer of its own
 * after. FilterLogEvents behaves as the service documents it: exactly one of logGroupName and
 * logGroupIdentifier, events of every stream interleaved in time order, startTime and endTime
 * both inclusive, pages of at most `limit` (10,000) events or 1 MB, an opaque nextToken bound to
 * its query, and now and then a page with no events but a nextToken (the service returns those
 * while it searches on).
 *
 * Test hooks: `throttle(n)` answers the next n calls with ThrottlingException ("Rate exceeded"),
 * as the 5-calls-a-second quota does; `maxEventsPerPage` forces small pages.
 */

export const LOGS_MODEL_PATH = awsModelPath('logs');
const LOGS_MODEL = loadAwsModel(LOGS_MODEL_PATH);
const TARGET_PREFIX = 'Logs_20140328.';
const PAGE_BYTES = 1_048_576;
/** What the service counts per event against the page size besides the message. */
const EVENT_OVERHEAD = 26;

export interface StoredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

export interface LogsRequest {
  operation: string;
  region: string;
  at: number;
  body: Json;
}

export interface LocalLogsOptions {
  /** Largest page the server returns, below the service's 10,000 events (tests cross pages with it). */
  maxEventsPerPage?: number;
  /** Every how many pages an empty page with a nextToken comes first (0: never). */
  emptyPageEvery?: number;
}

export class LocalLogs extends AwsJsonEndpoint {
  readonly validator = new AwsModelValidator(LOGS_MODEL);
  readonly requests: LogsRequest[] = [];
  /** Requests the model (or the service's own checks) rejected, with why. */
  readonly rejected: { operation: string; errors: string[] }[] = [];
  /** Answers of ours that do not fit the model (a bug in this fake). */
  readonly badResponses: { operation: string; errors: string[] }[] = [];
  private readonly groups = new Map<string, StoredEvent[]>();
  private throttled = 0;
  private pagesServed = 0;
  private seq = 0;

  constructor(private readonly options: LocalLogsOptions = {}) {
    super({
      targetPrefix: TARGET_PREFIX,
      signingName: 'logs',
      operations: LOGS_MODEL.operations,
      internalError: 'ServiceUnavailableException',
    });
  }

  // ---- test hooks ---------------------------------------------------------------------------

  createLogGroup(name: string): void {
    if (!this.groups.has(name)) this.groups.set(name, []);
  }

  /** Log events as WAF writes them: one record per event, in a stream per web ACL. */
  putEvents(group: string, stream: string, events: readonly { timestamp: number; message: string }[]): void {
    this.createLogGroup(group);
    const stored = this.groups.get(group) as StoredEvent[];
    for (const e of events) {
      stored.push({
        logStreamName: stream,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.timestamp + 1_000,
        // The service's ids are long digit strings, unique in the group.
        eventId: `${String(e.timestamp).padStart(20, '0')}${String(this.seq++).padStart(36, '0')}`,
      });
    }
  }

  throttle(calls: number): void {
    this.throttled += calls;
  }

  stopThrottling(): void {
    this.throttled = 0;
  }

  operations(name?: string): LogsRequest[] {
    return this.requests.filter((r) => !name || r.operation === name);
  }

  // ---- protocol -----------------------------------------------------------------------------

  protected async answer({ operation, region, body, at }: AwsJsonRequest): Promise<Json> {
    this.requests.push({ operation, region, at, body: structuredClone(body) });
    const errors = this.validator.validateInput(operation, body);
    if (errors.length) {
      this.rejected.push({ operation, errors });
      throw new AwsError('InvalidParameterException', errors.join('; '));
    }
    if (this.throttled > 0) {
      this.throttled--;
      throw new AwsError('ThrottlingException', 'Rate exceeded');
    }
    const out = this.dispatch(operation, body);
    const outErrors = this.validator.validateOutput(operation, out);
    if (outErrors.length) this.badResponses.push({ operation, errors: outErrors });
    return out;
  }

  private dispatch(operation: string, body: Json): Json {
    if (operation === 'FilterLogEvents') return this.filterLogEvents(body);
    throw new AwsError('InvalidOperationException', `${operation} is not implemented by the local endpoint`);
  }

  private reject(message: string): never {
    this.rejected.push({ operation: 'FilterLogEvents', errors: [message] });
    throw new AwsError('InvalidParameterException', message);
  }

  private filterLogEvents(body: Json): Json {
    const byName = body.logGroupName as string | undefined;
    const byId = body.logGroupIdentifier as string | undefined;
    if ((byName === undefined) === (byId === undefined))
      this.reject('Exactly one of logGroupName and logGroupIdentifier must be given');
    if (body.logStreamNames !== undefined && body.logStreamNamePrefix !== undefined)
      this.reject('logStreamNames and logStreamNamePrefix cannot both be given');
    if (typeof body.filterPattern === 'string' && body.filterPattern !== '')
      throw new AwsError(
        'InvalidOperationException',
        'filter patterns are not implemented by the local endpoint',
      );
    const name = byName ?? (byId as string).replace(/^arn:[^:]*:logs:[^:]*:\d{12}:log-group:/, '');
    const stored = this.groups.get(name);
    if (!stored) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');

    const start = (body.startTime as number | undefined) ?? 0;
    const end = (body.endTime as number | undefined) ?? Number.MAX_SAFE_INTEGER;
    if (end < start) this.reject('endTime must not be before startTime');
    const streams = body.logStreamNames as string[] | undefined;
    const prefix = body.logStreamNamePrefix as string | undefined;
    const matching = stored
      .filter((e) => e.timestamp >= start && e.timestamp <= end)
      .filter((e) =>
        streams ? streams.includes(e.logStreamName) : prefix ? e.logStreamName.startsWith(prefix) : true,
      )
      .sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));

    // The token carries the query it belongs to: another query's token is refused, as the service does.
    const query = JSON.stringify([name, start, end, streams ?? null, prefix ?? null]);
    let offset = 0;
    if (typeof body.nextToken === 'string') {
      const token = decodeToken(body.nextToken);
      if (!token || token.query !== query) this.reject('The specified nextToken is invalid.');
      offset = token.offset;
    }
    this.pagesServed++;
    const every = this.options.emptyPageEvery ?? 0;
    if (every > 0 && this.pagesServed % every === 0 && offset < matching.length) {
      return { events: [], nextToken: encodeToken({ query, offset }) };
    }
    const limit = Math.min(
      (body.limit as number | undefined) ?? 10_000,
      this.options.maxEventsPerPage ?? 10_000,
    );
    const page: StoredEvent[] = [];
    let bytes = 0;
    for (let i = offset; i < matching.length && page.length < limit; i++) {
      const e = matching[i] as StoredEvent;
      const size = Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD;
      if (page.length > 0 && bytes + size > PAGE_BYTES) break;
      page.push(e);
      bytes += size;
    }
    const next = offset + page.length;
    return {
      events: page.map((e) => ({ ...e })),
      ...(next < matching.length ? { nextToken: encodeToken({ query, offset: next }) } : {}),
    };
  }
}

function encodeToken(token: { query: string; offset: number }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): { query: string; offset: number } | null {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      query?: unknown;
      offset?: unknown;
    };
    return typeof t.query === 'string' && typeof t.offset === 'number'
      ? { query: t.query, offset: t.offset }
      : null;
  } catch {
    return null;
  }
}

export async function startLocalLogs(options?: LocalLogsOptions): Promise<LocalLogs> {
  return new LocalLogs(options).start();
}
