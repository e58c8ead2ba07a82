/**
 * Web ACLs and IP sets as the WAFv2 API speaks them on the wire (JSON 1.1): the same member names,
 * and blobs (a ByteMatch `SearchString`) as base64 text. Keeping the wire form in the domain makes
 * an audit record exactly what `aws wafv2 get-web-acl` shows, and lets a rollback send back the
 * very bytes it read. Members waftune does not touch are carried through untouched.
 */

export type WafScope = 'REGIONAL' | 'CLOUDFRONT';

/**
 * Where a WAF resource lives: CLOUDFRONT resources are always managed in us-east-1. With a fleet
 * file, also in which AWS account (each account has its own web ACLs and IP sets); without one,
 * `account` is absent and everything is the default credentials' account.
 */
export interface WafLocation {
  scope: WafScope;
  region: string;
  /** 12-digit account id (fleet runs only). */
  account?: string;
  /** The account's name in the fleet file, for people. */
  accountName?: string;
}

export interface WebAclRef extends WafLocation {
  name: string;
  id: string;
  arn: string;
}

export interface IpSetRef extends WafLocation {
  name: string;
  id: string;
  arn: string;
}

export type IpVersion = 'IPV4' | 'IPV6';

// biome-ignore lint/complexity/noBannedTypes: WAF actions are empty objects on the wire ({"Count": {}}).
type Empty = {};

export interface RuleAction {
  Block?: Empty;
  Allow?: Empty;
  Count?: Empty;
  Captcha?: Empty;
  Challenge?: Empty;
  [other: string]: unknown;
}

export interface VisibilityConfig {
  SampledRequestsEnabled: boolean;
  CloudWatchMetricsEnabled: boolean;
  MetricName: string;
}

export interface TextTransformation {
  Priority: number;
  Type: string;
}

export interface FieldToMatch {
  UriPath?: Empty;
  Method?: Empty;
  QueryString?: Empty;
  SingleHeader?: { Name: string };
  [other: string]: unknown;
}

export interface ByteMatchStatement {
  /** base64, as on the wire */
  SearchString: string;
  FieldToMatch: FieldToMatch;
  TextTransformations: TextTransformation[];
  PositionalConstraint: string;
  [other: string]: unknown;
}

export interface RuleActionOverride {
  Name: string;
  ActionToUse: RuleAction;
}

export interface RuleGroupStatementCommon {
  ExcludedRules?: { Name: string }[];
  RuleActionOverrides?: RuleActionOverride[];
  [other: string]: unknown;
}

export interface ManagedRuleGroupStatement extends RuleGroupStatementCommon {
  VendorName: string;
  Name: string;
  Version?: string;
  ScopeDownStatement?: Statement;
}

export interface RuleGroupReferenceStatement extends RuleGroupStatementCommon {
  ARN: string;
}

export interface Statement {
  ByteMatchStatement?: ByteMatchStatement;
  LabelMatchStatement?: { Scope: 'LABEL' | 'NAMESPACE'; Key: string };
  AndStatement?: { Statements: Statement[] };
  OrStatement?: { Statements: Statement[] };
  NotStatement?: { Statement: Statement };
  IPSetReferenceStatement?: { ARN: string; [other: string]: unknown };
  ManagedRuleGroupStatement?: ManagedRuleGroupStatement;
  RuleGroupReferenceStatement?: RuleGroupReferenceStatement;
  [other: string]: unknown;
}

/** A rule before it has a place in the ACL. */
export interface RuleBody {
  Name: string;
  Statement: Statement;
  Action?: RuleAction;
  OverrideAction?: { Count?: Empty; None?: Empty };
  VisibilityConfig: VisibilityConfig;
  [other: string]: unknown;
}

export interface Rule extends RuleBody {
  Priority: number;
}

export interface WebAcl {
  Name: string;
  Id: string;
  ARN: string;
  DefaultAction: RuleAction;
  Rules?: Rule[];
  VisibilityConfig: VisibilityConfig;
  Capacity?: number;
  [other: string]: unknown;
}

export interface IpSet {
  Name: string;
  Id: string;
  ARN: string;
  IPAddressVersion: IpVersion;
  Addresses: string[];
  Description?: string;
}

/** A web ACL's logging configuration, in the WAFv2 API's own member names. */
export interface LoggingConfiguration {
  ResourceArn: string;
  LogDestinationConfigs: string[];
  RedactedFields?: Array<{ SingleHeader: { Name: string } }>;
  LoggingFilter?: {
    Filters: Array<{
      Behavior: 'KEEP' | 'DROP';
      Requirement: 'MEETS_ANY' | 'MEETS_ALL';
      Conditions: Array<
        { ActionCondition: { Action: string } } | { LabelNameCondition: { LabelName: string } }
      >;
    }>;
    DefaultBehavior: 'KEEP' | 'DROP';
  };
  ManagedByFirewallManager?: boolean;
  [other: string]: unknown;
}

export function locationKey(location: WafLocation): string {
  const place = `${location.scope}/${location.region}`;
  return location.account ? `${location.account}/${place}` : place;
}

export function sameLocation(a: WafLocation, b: WafLocation): boolean {
  return a.scope === b.scope && a.region === b.region && (a.account ?? '') === (b.account ?? '');
}

/** Just the place (scope, region, account), without what else a ref carries. */
export function locationOf(l: WafLocation): WafLocation {
  return {
    scope: l.scope,
    region: l.region,
    ...(l.account ? { account: l.account } : {}),
    ...(l.accountName ? { accountName: l.accountName } : {}),
  };
}
