import type { WafScope } from './types.js';

/**
 * `waftune connect`: the PutLoggingConfiguration request that sends a web ACL's logs to the
 * waftune stream, and the plan of which web ACLs to change. Pure: the SDK calls are in
 * adapters/waf-logging.ts.
 */

/** The request's LoggingConfiguration, in the WAFv2 API's own member names. */
export interface LoggingConfiguration {
  ResourceArn: string;
  LogDestinationConfigs: string[];
  RedactedFields?: Array<{ SingleHeader: { Name: string } }>;
  LoggingFilter?: {
    Filters: Array<{
      Behavior: 'KEEP' | 'DROP';
      Requirement: 'MEETS_ANY' | 'MEETS_ALL';
      Conditions: Array<{ ActionCondition: { Action: string } }>;
    }>;
    DefaultBehavior: 'KEEP' | 'DROP';
  };
  ManagedByFirewallManager?: boolean;
}

export interface LoggingOptions {
  /** Keep the records of requests no rule acted on (ALLOW): more data, more cost, a fuller picture. */
  keepAllow: boolean;
}

/**
 * What the tuner needs: every request a rule acted on. EXCLUDED_AS_COUNT is a rule overridden to
 * Count, which is exactly what waftune's fix for a false positive does; without it the overridden
 * rule would go dark in the logs after the fix.
 */
export const KEPT_ACTIONS = ['BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE', 'EXCLUDED_AS_COUNT'] as const;

/** Credentials and sessions never reach the logs; WAF records them as REDACTED. */
export const REDACTED_HEADERS = ['authorization', 'cookie'] as const;

export const STREAM_PREFIX = 'aws-waf-logs-';

export function buildLoggingConfiguration(
  webAclArn: string,
  streamArn: string,
  options: LoggingOptions,
): LoggingConfiguration {
  return {
    ResourceArn: webAclArn,
    LogDestinationConfigs: [streamArn],
    RedactedFields: REDACTED_HEADERS.map((Name) => ({ SingleHeader: { Name } })),
    LoggingFilter: {
      Filters: [
        {
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: KEPT_ACTIONS.map((Action) => ({ ActionCondition: { Action } })),
        },
      ],
      DefaultBehavior: options.keepAllow ? 'KEEP' : 'DROP',
    },
  };
}

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** The stream's name from its ARN, or why it cannot take WAF logs at all. */
export function checkStream(streamArn: string): { name: string; region: string; account: string } {
  const arn = parseArn(streamArn);
  const name = arn?.resource.startsWith('deliverystream/')
    ? arn.resource.slice('deliverystream/'.length)
    : undefined;
  if (arn?.service !== 'firehose' || !name) {
    throw new Error(`--stream must be a Firehose delivery stream ARN, got ${streamArn}`);
  }
  if (!name.startsWith(STREAM_PREFIX)) {
    throw new Error(`WAF logs only to streams named ${STREAM_PREFIX}*; ${name} is not one`);
  }
  return { name, region: arn.region, account: arn.account };
}

/** Why this web ACL cannot log to this stream, or undefined when it can. */
export function destinationProblem(
  webAclArn: string,
  scope: WafScope,
  streamArn: string,
): string | undefined {
  const acl = parseArn(webAclArn);
  const stream = parseArn(streamArn);
  if (!acl || !stream) return 'not an ARN';
  if (acl.account !== stream.account)
    return `the stream is in account ${stream.account}, the web ACL in ${acl.account}`;
  const needed = scope === 'CLOUDFRONT' ? 'us-east-1' : acl.region;
  if (stream.region !== needed) {
    return scope === 'CLOUDFRONT'
      ? `CloudFront web ACLs log only to a stream in us-east-1; this one is in ${stream.region}`
      : `the stream is in ${stream.region}, the web ACL in ${acl.region}: deploy a stream there`;
  }
  return undefined;
}

export type ConnectAction = 'enable' | 'update' | 'unchanged' | 'skip';

export interface ConnectStep {
  acl: { name: string; arn: string };
  action: ConnectAction;
  /** Why skipped, or what changes. */
  reason: string;
  /** The request to send, for enable and update. */
  request?: LoggingConfiguration;
  current?: LoggingConfiguration;
}

export interface PlanInput {
  acls: ReadonlyArray<{ name: string; arn: string; current?: LoggingConfiguration }>;
  scope: WafScope;
  streamArn: string;
  options: LoggingOptions;
  /** Replace a logging configuration that sends the logs somewhere else. */
  replace: boolean;
}

export function planConnect(input: PlanInput): ConnectStep[] {
  return input.acls.map((acl) => {
    const ref = { name: acl.name, arn: acl.arn };
    const problem = destinationProblem(acl.arn, input.scope, input.streamArn);
    if (problem) return { acl: ref, action: 'skip', reason: problem };
    const request = buildLoggingConfiguration(acl.arn, input.streamArn, input.options);
    const current = acl.current;
    if (!current) return { acl: ref, action: 'enable', reason: 'logging is off', request };
    if (current.ManagedByFirewallManager) {
      return { acl: ref, action: 'skip', reason: 'logging is managed by Firewall Manager', current };
    }
    const destinations = current.LogDestinationConfigs ?? [];
    const elsewhere = destinations.filter((d) => d !== input.streamArn);
    if (elsewhere.length > 0 && !input.replace) {
      return {
        acl: ref,
        action: 'skip',
        reason: `logs already go to ${elsewhere.join(', ')} (use --replace to send them to the stream instead)`,
        current,
      };
    }
    if (sameConfiguration(current, request))
      return { acl: ref, action: 'unchanged', reason: 'already connected', current };
    const what =
      elsewhere.length > 0 ? `destination ${elsewhere.join(', ')} -> stream` : 'filter or redacted fields';
    return { acl: ref, action: 'update', reason: what, request, current };
  });
}

/** Equal as far as WAF is concerned: list order of conditions and redacted headers does not matter. */
export function sameConfiguration(a: LoggingConfiguration, b: LoggingConfiguration): boolean {
  return canonical(a) === canonical(b);
}

function canonical(c: LoggingConfiguration): string {
  return JSON.stringify({
    destinations: [...(c.LogDestinationConfigs ?? [])].sort(),
    redacted: (c.RedactedFields ?? []).map((f) => JSON.stringify(lowerHeader(f))).sort(),
    filters: (c.LoggingFilter?.Filters ?? []).map((f) => ({
      behavior: f.Behavior,
      requirement: f.Requirement,
      conditions: f.Conditions.map((x) => JSON.stringify(x)).sort(),
    })),
    default: c.LoggingFilter?.DefaultBehavior ?? 'KEEP',
  });
}

function lowerHeader(field: unknown): unknown {
  const header = (field as { SingleHeader?: { Name?: string } }).SingleHeader;
  return header?.Name ? { SingleHeader: { Name: header.Name.toLowerCase() } } : field;
}

/** What connect needs from WAFv2, for one scope and region. */
export interface WafLoggingPort {
  listWebAcls(): Promise<Array<{ name: string; arn: string }>>;
  /** undefined when the web ACL has no logging configuration. */
  getLogging(webAclArn: string): Promise<LoggingConfiguration | undefined>;
  putLogging(config: LoggingConfiguration): Promise<void>;
}

export interface ConnectRun {
  steps: ConnectStep[];
  /** Names asked for with --acl that no web ACL has. */
  missing: string[];
  failed: Array<{ acl: string; error: string }>;
}

/**
 * Reads every web ACL's logging, plans, and (unless dryRun) sends the changes one at a time:
 * WAF takes about one Put a second per account.
 */
export async function connectLogging(
  port: WafLoggingPort,
  input: Omit<PlanInput, 'acls'> & {
    names?: readonly string[];
    dryRun: boolean;
    sleep?: (ms: number) => Promise<void>;
    putIntervalMs?: number;
  },
): Promise<ConnectRun> {
  const all = await port.listWebAcls();
  const wanted = input.names && input.names.length > 0 ? new Set(input.names) : undefined;
  const acls = wanted ? all.filter((a) => wanted.has(a.name)) : all;
  const missing = wanted ? [...wanted].filter((n) => !all.some((a) => a.name === n)) : [];
  const withCurrent = [];
  for (const acl of acls) {
    const current = await port.getLogging(acl.arn);
    withCurrent.push(current ? { ...acl, current } : acl);
  }
  const steps = planConnect({ ...input, acls: withCurrent });
  const failed: ConnectRun['failed'] = [];
  if (!input.dryRun) {
    const sleep = input.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let first = true;
    for (const step of steps) {
      if (!step.request) continue;
      if (!first) await sleep(input.putIntervalMs ?? 1_000);
      first = false;
      try {
        await port.putLogging(step.request);
      } catch (error) {
        failed.push({ acl: step.acl.name, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return { steps, missing, failed };
}
