import { KEPT_ALLOW_LABELS, qualifiedLabel } from '../../schemas/waftune-labels.js';
import type { LoggingConfiguration, WafScope } from './types.js';

/**
 * `waftune connect`: the PutLoggingConfiguration request that sends a web ACL's logs to the
 * waftune stream, and the plan of which web ACLs to change. Pure: src/waf/connect.ts runs it.
 *
 * The filter keeps every record a rule acted on, and of the rest (ALLOW) only those carrying one of
 * waftune's evidence labels (schemas/waftune-labels.ts, added by the rule connect puts first in the
 * web ACL). Cookie and Authorization are redacted: WAF still inspects them, the log does not keep
 * them.
 */

export type { LoggingConfiguration };

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

/**
 * The labels (fully qualified with the web ACL's namespace) whose ALLOW records are kept: the
 * evidence rules' labels (src/waf/evidence-labels.ts) that signals read on ALLOW traffic.
 */
export function keptLabels(webAclArn: string): string[] {
  const arn = parseArn(webAclArn);
  const name = arn?.resource.split('/')[2];
  if (!arn || !name) return [];
  return KEPT_ALLOW_LABELS.map((label) => qualifiedLabel(arn.account, name, label));
}

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
          Conditions: [
            ...KEPT_ACTIONS.map((Action) => ({ ActionCondition: { Action } })),
            ...keptLabels(webAclArn).map((LabelName) => ({ LabelNameCondition: { LabelName } })),
          ],
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
