import type { ForwardedIpConfig } from '../../schemas/suggestion.js';
import { topIndex } from './ip-block.js';
import type { MutationResult } from './mutation.js';
import { ipBlockRuleName, shortHash } from './names.js';
import { byPriority, insertAt } from './priorities.js';
import type { IpVersion, Rule, RuleBody, Statement } from './types.js';

/**
 * IP blocks by forwarded address. Behind a CDN (CloudFront in front of an ALB), the ALB's web ACL
 * sees the edge in `clientIp` and the client in `X-Forwarded-For`; the CDN appends the address it
 * saw, so the right-most entry is the one a client cannot forge. On the web ACLs an ip-block's
 * `forwardedIpConfig` lists, a second rule references the same shared waftune IP set with
 * `IPSetForwardedIPConfig`, beside the client-IP rule every web ACL gets: a request that reaches
 * the ALB directly still matches by its own address, and one through the CDN by the forwarded one.
 *
 * Referencing the shared set means every address waftune blocks is also matched by forwarded
 * address on those web ACLs, not only the ones seen through the CDN: the same client, whichever
 * way it comes. A client can only forge the entries left of the CDN's, so it cannot make someone
 * else match; with NO_MATCH a missing or malformed header matches nothing (WAF does not apply the
 * rule to a request without the header at all).
 */

export type ForwardedIpSettings = Pick<ForwardedIpConfig, 'headerName' | 'position' | 'fallbackBehavior'>;

export interface ForwardedIpRule extends ForwardedIpSettings {
  version: IpVersion;
}

const DEFAULT: ForwardedIpSettings = {
  headerName: 'X-Forwarded-For',
  position: 'LAST',
  fallbackBehavior: 'NO_MATCH',
};

/** WAF compares header names case-insensitively; so do we, to tell two configurations apart. */
export function settingsKey(s: ForwardedIpSettings): string {
  return `${s.headerName.toLowerCase()}|${s.position}|${s.fallbackBehavior}`;
}

/** `waftune-ip-block-ipv4-fwd` for X-Forwarded-For LAST NO_MATCH; another setting gets a hash of it. */
export function forwardedRuleName(rule: ForwardedIpRule): string {
  const base = `${ipBlockRuleName(rule.version)}-fwd`;
  return settingsKey(rule) === settingsKey(DEFAULT) ? base : `${base}-${shortHash(settingsKey(rule))}`;
}

/** WCU of a forwarded IP set match: 1, and 4 more when it inspects ANY of the addresses. */
export function forwardedRuleWcu(settings: Pick<ForwardedIpSettings, 'position'>): number {
  return settings.position === 'ANY' ? 5 : 1;
}

export function forwardedStatement(arn: string, s: ForwardedIpSettings): Statement {
  return {
    IPSetReferenceStatement: {
      ARN: arn,
      IPSetForwardedIPConfig: {
        HeaderName: s.headerName,
        FallbackBehavior: s.fallbackBehavior,
        Position: s.position,
      },
    },
  };
}

/** The forwarded-address settings of an IP set reference, if it has them. */
export function forwardedSettingsOf(s: Statement): ForwardedIpSettings | undefined {
  const c = s.IPSetReferenceStatement?.IPSetForwardedIPConfig as
    | {
        HeaderName: string;
        FallbackBehavior: ForwardedIpSettings['fallbackBehavior'];
        Position: ForwardedIpSettings['position'];
      }
    | undefined;
  return c
    ? { headerName: c.HeaderName, position: c.Position, fallbackBehavior: c.FallbackBehavior }
    : undefined;
}

function blocksForwarded(r: Rule, arn: string, key: string): boolean {
  const settings = forwardedSettingsOf(r.Statement);
  return (
    r.Statement.IPSetReferenceStatement?.ARN === arn &&
    settings !== undefined &&
    settingsKey(settings) === key &&
    Boolean(r.Action?.Block)
  );
}

/** Ensures the rule that blocks the set by forwarded address sits with waftune's other IP rules. */
export function ensureForwardedIpBlockRule(
  rules: readonly Rule[],
  rule: ForwardedIpRule,
  ipSetArn: string,
): MutationResult {
  const name = forwardedRuleName(rule);
  const key = settingsKey(rule);
  const statement = forwardedStatement(ipSetArn, rule);
  const existing = rules.find((r) => r.Name === name);
  if (existing) {
    if (
      blocksForwarded(existing, ipSetArn, key) &&
      JSON.stringify(existing.Statement) === JSON.stringify(statement)
    )
      return { status: 'unchanged', reason: `${name} already blocks the set by forwarded address` };
    const fixed: Rule = { ...existing, Statement: statement, Action: { Block: {} } };
    return { status: 'changed', rules: rules.map((r) => (r === existing ? fixed : r)) };
  }
  const byHand = rules.find((r) => blocksForwarded(r, ipSetArn, key));
  if (byHand)
    return { status: 'unchanged', reason: `rule ${byHand.Name} already blocks the set by forwarded address` };
  const body: RuleBody = {
    Name: name,
    Statement: statement,
    Action: { Block: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
  };
  const ordered = byPriority(rules);
  return { status: 'changed', rules: insertAt(ordered, topIndex(ordered), body) };
}

/** One line for the plan: how this web ACL matches blocked addresses. */
export function describeForwarded(rules: readonly ForwardedIpSettings[]): string {
  const ways = [...new Map(rules.map((r) => [settingsKey(r), r])).values()].map(
    (r) =>
      `${r.headerName} (${r.position === 'ANY' ? 'any of the last 10 addresses' : `${r.position.toLowerCase()} address`}${r.fallbackBehavior === 'NO_MATCH' ? '; no match without a valid one' : '; an invalid one matches'})`,
  );
  return `matches blocked addresses by client IP and by forwarded address: ${ways.join(', ')}`;
}
