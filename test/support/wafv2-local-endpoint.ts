import { randomUUID } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { AwsError, AwsJsonEndpoint, type AwsJsonRequest, type Json } from './aws-json-endpoint.js';
import { AwsModelValidator, loadAwsModel } from './aws-model-validator.js';
import { awsModelPath } from './vendored.js';

/**
 * A local WAFv2 for tests: a real HTTP server speaking the awsJson1_1 protocol the real SDK
 * speaks (`X-Amz-Target: AWSWAF_20190729.<Operation>`), keeping web ACLs and IP sets per region
 * and scope with LockTokens, and checking every request against the published service model
 * (vendor/aws-models/wafv2.service-2.json) before looking at it. On top of the model it checks
 * what the service enforces beyond the shapes: one action per rule, AND/OR with two or more
 * statements, search strings of at most 200 bytes, existing IP set references, unique names and
 * priorities, the 5,000 WCU and 10,000 address limits, and CLOUDFRONT calls going to us-east-1.
 *
 * Test hooks simulate other writers (`editWebAcl`, `beforeUpdate`) and broken web ACLs (`failFor`).
 *
 * Accounts: with `accountOf` (e.g. the local STS's, which knows whose session an access key is),
 * every account keeps its own web ACLs and IP sets, as in AWS; an unknown access key is refused.
 * Without it, everything is one account, whatever the ARNs say.
 *
 * Firewall Manager: a web ACL seeded with `firewallManager` has `ManagedByFirewallManager` and
 * the policy's `PreProcessFirewallManagerRuleGroups` / `PostProcessFirewallManagerRuleGroups`.
 * UpdateWebACL cannot carry them (the model has no such members) and keeps them as they were; a
 * rule of the account that takes a Firewall Manager rule group's name is refused.
 */

export const WAFV2_MODEL_PATH = awsModelPath('wafv2');
const WAFV2_MODEL = loadAwsModel(WAFV2_MODEL_PATH);
const TARGET_PREFIX = 'AWSWAF_20190729.';
const ACCOUNT = '123456789012';
const MAX_WCU = 5_000;
const MAX_ADDRESSES = 10_000;
const SEARCH_STRING_MAX = 200;

type Scope = 'REGIONAL' | 'CLOUDFRONT';

export interface StoredWebAcl {
  acl: Json & { Name: string; Id: string; ARN: string; Rules?: Json[] };
  lockToken: string;
  /** Its logging configuration, as PutLoggingConfiguration stored it. */
  logging?: Json;
}

export interface StoredIpSet {
  ipSet: Json & { Name: string; Id: string; ARN: string; Addresses: string[]; IPAddressVersion: string };
  lockToken: string;
}

interface Location {
  webAcls: Map<string, StoredWebAcl>;
  ipSets: Map<string, StoredIpSet>;
}

export { AwsError };

export interface RequestLog {
  operation: string;
  region: string;
  /** The caller's account (the default account when the endpoint does not key by account). */
  account: string;
  body: Json;
  /** The SDK's user agent headers (user-agent and x-amz-user-agent). */
  userAgent: string;
}

export interface Failure {
  type: string;
  message?: string;
  status?: number;
  operations?: string[];
}

/** Managed rule group WCU as AWS publishes them (the rest cost 100 here). */
const MANAGED_WCU: Record<string, number> = {
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesSQLiRuleSet: 200,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesWordPressRuleSet: 100,
  AWSManagedRulesPHPRuleSet: 100,
  AWSManagedRulesAdminProtectionRuleSet: 100,
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesAnonymousIpList: 50,
  AWSManagedRulesLinuxRuleSet: 200,
  AWSManagedRulesBotControlRuleSet: 50,
};

/** WCU of a statement: a fixed table in the spirit of AWS's published costs. */
export function statementWcu(s: Json): number {
  const [type, raw] = Object.entries(s)[0] ?? ['', {}];
  const body = raw as Json;
  const transforms = (t: unknown) =>
    ((t as { Type: string }[] | undefined) ?? []).filter((x) => x.Type !== 'NONE').length * 10;
  switch (type) {
    case 'ByteMatchStatement': {
      const base = ['CONTAINS', 'CONTAINS_WORD'].includes(body.PositionalConstraint as string) ? 10 : 2;
      return base + transforms(body.TextTransformations);
    }
    case 'LabelMatchStatement':
    case 'GeoMatchStatement':
    case 'SizeConstraintStatement':
    case 'AsnMatchStatement':
      return 1;
    case 'IPSetReferenceStatement':
      // 1, and 4 more when a forwarded-IP configuration inspects ANY of the header's addresses.
      return (body.IPSetForwardedIPConfig as { Position?: string } | undefined)?.Position === 'ANY' ? 5 : 1;
    case 'SqliMatchStatement':
      return 20 + transforms(body.TextTransformations);
    case 'XssMatchStatement':
      return 40 + transforms(body.TextTransformations);
    case 'RegexPatternSetReferenceStatement':
      return 25 + transforms(body.TextTransformations);
    case 'RegexMatchStatement':
      return 3 + transforms(body.TextTransformations);
    case 'AndStatement':
    case 'OrStatement':
      return (body.Statements as Json[]).reduce((n, c) => n + statementWcu(c), 0);
    case 'NotStatement':
      return statementWcu(body.Statement as Json);
    case 'RateBasedStatement':
      return 2 + (body.ScopeDownStatement ? statementWcu(body.ScopeDownStatement as Json) : 0);
    case 'ManagedRuleGroupStatement':
      return (
        (MANAGED_WCU[body.Name as string] ?? 100) +
        (body.ScopeDownStatement ? statementWcu(body.ScopeDownStatement as Json) : 0)
      );
    case 'RuleGroupReferenceStatement':
      return 100;
    default:
      return 1;
  }
}

export function rulesWcu(rules: readonly Json[] = []): number {
  return rules.reduce((n, r) => n + statementWcu(r.Statement as Json), 0);
}

/** The members of a WebACL that belong to Firewall Manager (read-only for the account). */
const FIREWALL_MANAGER_MEMBERS = [
  'PreProcessFirewallManagerRuleGroups',
  'PostProcessFirewallManagerRuleGroups',
  'ManagedByFirewallManager',
  'RetrofittedByFirewallManager',
];

/** The policy's rule groups count towards the web ACL's capacity too. */
export function firewallManagerWcu(acl: Json): number {
  const groups = [
    ...((acl.PreProcessFirewallManagerRuleGroups as Json[] | undefined) ?? []),
    ...((acl.PostProcessFirewallManagerRuleGroups as Json[] | undefined) ?? []),
  ];
  return groups.reduce((n, g) => n + statementWcu(g.FirewallManagerStatement as Json), 0);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function scopePath(scope: Scope): string {
  return scope === 'CLOUDFRONT' ? 'global' : 'regional';
}

export interface LocalWafv2Options {
  /** Milliseconds to wait before answering, per operation (to make concurrent runs interleave). */
  delays?: Record<string, number>;
  /**
   * WAF's eventual consistency right after CreateIPSet: this many requests that reference a newly
   * created IP set (UpdateWebACL, CheckCapacity) fail with WAFUnavailableEntityException first.
   */
  unavailableAfterCreate?: number;
  /** The account of a caller's access key: state is kept per account; unknown keys are refused. */
  accountOf?: (accessKeyId: string) => string | undefined;
}

export interface FirewallManagerSeed {
  pre?: Json[];
  post?: Json[];
}

export class LocalWafv2 extends AwsJsonEndpoint {
  readonly validator = new AwsModelValidator(WAFV2_MODEL, {
    exactlyOneOf: ['Statement', 'FieldToMatch', 'RuleAction', 'DefaultAction', 'OverrideAction'],
  });
  readonly requests: RequestLog[] = [];
  /** Every request the model (or the service's own checks) rejected, with why. */
  readonly rejected: { operation: string; errors: string[] }[] = [];
  /** Responses of ours that do not fit the model (a bug in this fake). */
  readonly badResponses: { operation: string; errors: string[] }[] = [];
  private readonly locations = new Map<string, Location>();
  private readonly failures = new Map<string, Failure>();
  /** New IP set ARN -> requests referencing it still to refuse as unavailable. */
  private readonly settling = new Map<string, number>();
  private readonly updateHooks: { name: string; fn: (acl: StoredWebAcl) => void; once: boolean }[] = [];

  constructor(private readonly options: LocalWafv2Options = {}) {
    super({
      targetPrefix: TARGET_PREFIX,
      signingName: 'wafv2',
      operations: WAFV2_MODEL.operations,
      internalError: 'WAFInternalErrorException',
    });
  }

  // ---- test hooks ---------------------------------------------------------------------------

  seedWebAcl(spec: {
    name: string;
    scope?: Scope;
    region?: string;
    rules?: Json[];
    defaultAction?: Json;
    description?: string;
    /** A fixed id and account, to match the web ACL ARNs in recorded logs. */
    id?: string;
    account?: string;
    /** Managed by Firewall Manager, with the policy's rule groups before and after the account's. */
    firewallManager?: FirewallManagerSeed;
  }): StoredWebAcl {
    const scope = spec.scope ?? 'REGIONAL';
    const region = scope === 'CLOUDFRONT' ? 'us-east-1' : (spec.region ?? 'eu-west-1');
    const id = spec.id ?? randomUUID();
    const account = spec.account ?? ACCOUNT;
    const fms = spec.firewallManager
      ? {
          PreProcessFirewallManagerRuleGroups: spec.firewallManager.pre ?? [],
          PostProcessFirewallManagerRuleGroups: spec.firewallManager.post ?? [],
          ManagedByFirewallManager: true,
        }
      : {};
    const acl = {
      Name: spec.name,
      Id: id,
      ARN: `arn:aws:wafv2:${region}:${account}:${scopePath(scope)}/webacl/${spec.name}/${id}`,
      DefaultAction: spec.defaultAction ?? { Allow: {} },
      ...(spec.description ? { Description: spec.description } : {}),
      Rules: spec.rules ?? [],
      VisibilityConfig: {
        SampledRequestsEnabled: true,
        CloudWatchMetricsEnabled: true,
        MetricName: spec.name,
      },
      LabelNamespace: `awswaf:${account}:webacl:${spec.name}:`,
      ...fms,
    };
    const errors = this.validator.validateShape('WebACL', acl);
    if (errors.length) throw new Error(`seeded web ACL ${spec.name} is not valid: ${errors.join('; ')}`);
    this.checkRules(acl.Rules, scope, region, account, acl);
    const stored = { acl, lockToken: randomUUID() };
    this.location(scope, region, account).webAcls.set(id, stored);
    return clone(stored);
  }

  /** The stored web ACL (a copy). */
  webAcl(name: string, scope: Scope = 'REGIONAL', region = 'eu-west-1', account = ACCOUNT): StoredWebAcl {
    return clone(this.findAclByName(name, scope, region, account));
  }

  webAclNames(scope: Scope = 'REGIONAL', region = 'eu-west-1', account = ACCOUNT): string[] {
    return [...this.location(scope, region, account).webAcls.values()].map((w) => w.acl.Name);
  }

  /** Someone else edits the web ACL (console, Terraform, another waftune): new LockToken. */
  editWebAcl(
    name: string,
    edit: (acl: StoredWebAcl['acl']) => void,
    scope: Scope = 'REGIONAL',
    region = 'eu-west-1',
    account = ACCOUNT,
  ): void {
    const stored = this.findAclByName(name, scope, region, account);
    edit(stored.acl);
    stored.lockToken = randomUUID();
  }

  /** Runs `fn` when an UpdateWebACL for `name` arrives, before its LockToken is checked. */
  beforeUpdate(name: string, fn: (acl: StoredWebAcl) => void, once = true): void {
    this.updateHooks.push({ name, fn, once });
  }

  /** Requests about this web ACL (by name) fail with the given error. */
  failFor(name: string, failure: Failure): void {
    this.failures.set(name, failure);
  }

  clearFailure(name: string): void {
    this.failures.delete(name);
  }

  /** The web ACL's logging configuration (a copy), undefined when logging is off. */
  logging(
    name: string,
    scope: Scope = 'REGIONAL',
    region = 'eu-west-1',
    account = ACCOUNT,
  ): Json | undefined {
    const found = this.findAclByName(name, scope, region, account).logging;
    return found ? clone(found) : undefined;
  }

  /** Someone else configures the web ACL's logging (or turns it off with undefined). */
  setLogging(
    name: string,
    logging: Json | undefined,
    scope: Scope = 'REGIONAL',
    region = 'eu-west-1',
    account = ACCOUNT,
  ): void {
    const stored = this.findAclByName(name, scope, region, account);
    if (logging) stored.logging = { ...clone(logging), ResourceArn: stored.acl.ARN };
    else delete stored.logging;
  }

  ipSet(
    name: string,
    scope: Scope = 'REGIONAL',
    region = 'eu-west-1',
    account = ACCOUNT,
  ): StoredIpSet | undefined {
    const found = [...this.location(scope, region, account).ipSets.values()].find(
      (s) => s.ipSet.Name === name,
    );
    return found ? clone(found) : undefined;
  }

  editIpSet(
    name: string,
    edit: (addresses: string[]) => string[],
    scope: Scope = 'REGIONAL',
    region = 'eu-west-1',
    account = ACCOUNT,
  ): void {
    const found = [...this.location(scope, region, account).ipSets.values()].find(
      (s) => s.ipSet.Name === name,
    );
    if (!found) throw new Error(`no IP set ${name}`);
    found.ipSet.Addresses = edit(found.ipSet.Addresses);
    found.lockToken = randomUUID();
  }

  operations(name?: string): string[] {
    return this.requests.map((r) => r.operation).filter((op) => !name || op === name);
  }

  // ---- protocol -----------------------------------------------------------------------------

  private location(scope: Scope, region: string, account: string): Location {
    const key = `${this.options.accountOf ? account : ACCOUNT}/${scope}/${region}`;
    let loc = this.locations.get(key);
    if (!loc) {
      loc = { webAcls: new Map(), ipSets: new Map() };
      this.locations.set(key, loc);
    }
    return loc;
  }

  private findAclByName(name: string, scope: Scope, region: string, account: string): StoredWebAcl {
    const found = [...this.location(scope, region, account).webAcls.values()].find(
      (w) => w.acl.Name === name,
    );
    if (!found) throw new Error(`no web ACL ${name} in ${scope} ${region} (account ${account})`);
    return found;
  }

  protected async answer({ operation, region, accessKeyId, body, headers }: AwsJsonRequest): Promise<Json> {
    const account = this.options.accountOf ? this.options.accountOf(accessKeyId) : ACCOUNT;
    if (!account)
      throw new AwsError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
        400,
      );
    const userAgent = [headers['user-agent'], headers['x-amz-user-agent']].filter(Boolean).join(' ');
    this.requests.push({ operation, region, account, body: clone(body), userAgent });
    const errors = this.validator.validateInput(operation, body);
    if (errors.length) {
      this.rejected.push({ operation, errors });
      throw new AwsError('WAFInvalidParameterException', errors.join('; '));
    }
    if (body.Scope === 'CLOUDFRONT' && region !== 'us-east-1') {
      this.rejected.push({ operation, errors: [`CLOUDFRONT scope called in ${region}`] });
      throw new AwsError(
        'WAFInvalidParameterException',
        'Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT',
      );
    }
    const delay = this.options.delays?.[operation];
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const out = this.dispatch(operation, body, region, account);
    const outErrors = this.validator.validateOutput(operation, out);
    if (outErrors.length) this.badResponses.push({ operation, errors: outErrors });
    return out;
  }

  private dispatch(operation: string, body: Json, region: string, account: string): Json {
    const scope = body.Scope as Scope;
    switch (operation) {
      case 'ListWebACLs':
        return this.list(
          [...this.location(scope, region, account).webAcls.values()].map((w) => ({
            ...w.acl,
            LockToken: w.lockToken,
          })),
          body,
          'WebACLs',
        );
      case 'GetWebACL': {
        const stored = this.aclFor(body, region, account, 'GetWebACL');
        return {
          WebACL: { ...clone(stored.acl), Capacity: rulesWcu(stored.acl.Rules) },
          LockToken: stored.lockToken,
        };
      }
      case 'UpdateWebACL':
        return this.updateWebAcl(body, region, account);
      case 'CheckCapacity': {
        const rules = body.Rules as Json[];
        this.checkRules(rules, scope, region, account);
        return { Capacity: rulesWcu(rules) };
      }
      case 'ListIPSets':
        return this.list(
          [...this.location(scope, region, account).ipSets.values()].map((s) => ({
            ...s.ipSet,
            LockToken: s.lockToken,
          })),
          body,
          'IPSets',
        );
      case 'GetIPSet': {
        const stored = this.ipSetFor(body, region, account);
        return { IPSet: clone(stored.ipSet), LockToken: stored.lockToken };
      }
      case 'CreateIPSet':
        return this.createIpSet(body, region, account);
      case 'UpdateIPSet': {
        const stored = this.ipSetFor(body, region, account);
        if (stored.lockToken !== body.LockToken)
          throw new AwsError(
            'WAFOptimisticLockException',
            'AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it.',
          );
        const addresses = body.Addresses as string[];
        this.checkAddresses(addresses, stored.ipSet.IPAddressVersion);
        stored.ipSet.Addresses = [...addresses];
        if (body.Description !== undefined) stored.ipSet.Description = body.Description;
        stored.lockToken = randomUUID();
        return { NextLockToken: stored.lockToken };
      }
      case 'DeleteIPSet': {
        const stored = this.ipSetFor(body, region, account);
        if (stored.lockToken !== body.LockToken)
          throw new AwsError('WAFOptimisticLockException', 'stale LockToken');
        const users = [...this.location(scope, region, account).webAcls.values()].filter((w) =>
          JSON.stringify(w.acl.Rules ?? []).includes(stored.ipSet.ARN),
        );
        if (users.length)
          throw new AwsError(
            'WAFAssociatedItemException',
            `IP set is referenced by ${users.map((u) => u.acl.Name).join(', ')}`,
          );
        this.location(scope, region, account).ipSets.delete(stored.ipSet.Id);
        return {};
      }
      case 'GetLoggingConfiguration': {
        const stored = this.aclFor({ ARN: body.ResourceArn }, region, account, operation);
        if (!stored.logging)
          throw new AwsError(
            'WAFNonexistentItemException',
            'AWS WAF couldn’t perform the operation because your resource doesn’t exist.',
          );
        return {
          LoggingConfiguration: { ...clone(stored.logging), LogType: 'WAF_LOGS', LogScope: 'CUSTOMER' },
        };
      }
      case 'PutLoggingConfiguration': {
        const config = body.LoggingConfiguration as Json;
        const stored = this.aclFor({ ARN: config.ResourceArn }, region, account, operation);
        this.checkLogging(config, stored);
        const { LogType: _t, LogScope: _s, ...kept } = config;
        stored.logging = clone(kept);
        return { LoggingConfiguration: { ...clone(kept), LogType: 'WAF_LOGS', LogScope: 'CUSTOMER' } };
      }
      case 'DeleteLoggingConfiguration': {
        const stored = this.aclFor({ ARN: body.ResourceArn }, region, account, operation);
        if (!stored.logging)
          throw new AwsError(
            'WAFNonexistentItemException',
            'AWS WAF couldn’t perform the operation because your resource doesn’t exist.',
          );
        delete stored.logging;
        return {};
      }
      default:
        throw new AwsError(
          'WAFInvalidOperationException',
          `${operation} is not implemented by the local endpoint`,
        );
    }
  }

  private list(items: Json[], body: Json, key: string): Json {
    const limit = (body.Limit as number | undefined) ?? 100;
    const start = body.NextMarker ? Number(body.NextMarker) : 0;
    const page = items.slice(start, start + limit).map((i) => ({
      Name: i.Name,
      Id: i.Id,
      ...(i.Description ? { Description: i.Description } : {}),
      LockToken: i.LockToken,
      ARN: i.ARN,
    }));
    const next = start + limit < items.length ? String(start + limit) : undefined;
    return { [key]: page, ...(next ? { NextMarker: next } : {}) };
  }

  private aclFor(body: Json, region: string, account: string, operation: string): StoredWebAcl {
    let stored: StoredWebAcl | undefined;
    const arn = (body.ARN ?? body.ResourceArn) as string | undefined;
    if (arn) {
      const mine = `${this.options.accountOf ? account : ACCOUNT}/`;
      for (const [key, loc] of this.locations) {
        if (!key.startsWith(mine) || !key.endsWith(`/${region}`)) continue;
        stored = [...loc.webAcls.values()].find((w) => w.acl.ARN === arn);
        if (stored) break;
      }
    } else {
      stored = this.location(body.Scope as Scope, region, account).webAcls.get(body.Id as string);
      if (stored && stored.acl.Name !== body.Name) stored = undefined;
    }
    if (!stored)
      throw new AwsError(
        'WAFNonexistentItemException',
        'AWS WAF couldn’t perform the operation because your resource doesn’t exist.',
      );
    const failure = this.failures.get(stored.acl.Name);
    if (failure && (!failure.operations || failure.operations.includes(operation))) {
      throw new AwsError(
        failure.type,
        failure.message ?? `simulated failure for ${stored.acl.Name}`,
        failure.status ?? 400,
      );
    }
    return stored;
  }

  private ipSetFor(body: Json, region: string, account: string): StoredIpSet {
    const stored = this.location(body.Scope as Scope, region, account).ipSets.get(body.Id as string);
    if (!stored || stored.ipSet.Name !== body.Name)
      throw new AwsError(
        'WAFNonexistentItemException',
        'AWS WAF couldn’t perform the operation because your resource doesn’t exist.',
      );
    return stored;
  }

  private updateWebAcl(body: Json, region: string, account: string): Json {
    const scope = body.Scope as Scope;
    const stored = this.aclFor(body, region, account, 'UpdateWebACL');
    for (const hook of [...this.updateHooks]) {
      if (hook.name !== stored.acl.Name) continue;
      if (hook.once) this.updateHooks.splice(this.updateHooks.indexOf(hook), 1);
      hook.fn(stored);
    }
    if (stored.lockToken !== body.LockToken) {
      throw new AwsError(
        'WAFOptimisticLockException',
        'AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it.',
      );
    }
    const rules = (body.Rules as Json[] | undefined) ?? [];
    this.checkRules(rules, scope, region, account, stored.acl);
    const wcu = rulesWcu(rules) + firewallManagerWcu(stored.acl);
    if (wcu > MAX_WCU)
      throw new AwsError(
        'WAFLimitsExceededException',
        `The web ACL would use ${wcu} WCU; the maximum is ${MAX_WCU}.`,
      );
    const { LockToken: _l, Scope: _s, ...spec } = body;
    // What the account cannot send stays as it was: the ARN, the label namespace, and what
    // Firewall Manager owns (its rule groups before and after the account's rules).
    const kept = Object.fromEntries(
      Object.entries(stored.acl).filter(([k]) => FIREWALL_MANAGER_MEMBERS.includes(k)),
    );
    stored.acl = {
      ...spec,
      ARN: stored.acl.ARN,
      LabelNamespace: stored.acl.LabelNamespace,
      ...kept,
      Rules: rules,
    } as unknown as StoredWebAcl['acl'];
    stored.lockToken = randomUUID();
    return { NextLockToken: stored.lockToken };
  }

  private createIpSet(body: Json, region: string, account: string): Json {
    const scope = body.Scope as Scope;
    const loc = this.location(scope, region, account);
    if ([...loc.ipSets.values()].some((s) => s.ipSet.Name === body.Name)) {
      throw new AwsError(
        'WAFDuplicateItemException',
        'AWS WAF couldn’t perform the operation because some resource in your request is a duplicate of an existing one.',
      );
    }
    if (loc.ipSets.size >= 100) throw new AwsError('WAFLimitsExceededException', 'too many IP sets');
    const addresses = body.Addresses as string[];
    this.checkAddresses(addresses, body.IPAddressVersion as string);
    const id = randomUUID();
    const ipSet = {
      Name: body.Name as string,
      Id: id,
      ARN: `arn:aws:wafv2:${region}:${account}:${scopePath(scope)}/ipset/${body.Name}/${id}`,
      ...(body.Description ? { Description: body.Description } : {}),
      IPAddressVersion: body.IPAddressVersion as string,
      Addresses: [...addresses],
    };
    const stored = { ipSet, lockToken: randomUUID() };
    loc.ipSets.set(id, stored);
    if (this.options.unavailableAfterCreate)
      this.settling.set(ipSet.ARN, this.options.unavailableAfterCreate);
    return {
      Summary: {
        Name: ipSet.Name,
        Id: id,
        ...(ipSet.Description ? { Description: ipSet.Description } : {}),
        LockToken: stored.lockToken,
        ARN: ipSet.ARN,
      },
    };
  }

  private checkAddresses(addresses: string[], version: string): void {
    if (addresses.length > MAX_ADDRESSES)
      throw new AwsError('WAFLimitsExceededException', `an IP set holds at most ${MAX_ADDRESSES} addresses`);
    for (const a of addresses) {
      if (!ipaddr.isValidCIDR(a))
        throw new AwsError(
          'WAFInvalidParameterException',
          `Error reason: The parameter contains formatting that is not valid., field: IP_ADDRESS, parameter: ${a}`,
        );
      const [ip] = ipaddr.parseCIDR(a);
      if ((version === 'IPV4') !== (ip.kind() === 'ipv4'))
        throw new AwsError('WAFInvalidParameterException', `${a} is not ${version}`);
    }
  }

  /**
   * What PutLoggingConfiguration enforces beyond the shapes: one destination, named aws-waf-logs-*,
   * in the web ACL's account; redaction of a single header, the URI path, query string or method;
   * label conditions naming fully qualified labels; no changing what Firewall Manager manages.
   */
  private checkLogging(config: Json, stored: StoredWebAcl): void {
    const problems: string[] = [];
    const destinations = config.LogDestinationConfigs as string[];
    if (destinations.length !== 1) problems.push('exactly one log destination per web ACL');
    for (const d of destinations) {
      const name = d.split(':').slice(5).join(':').split('/').pop() ?? '';
      if (!name.startsWith('aws-waf-logs-'))
        problems.push(`destination ${d}: name must start with aws-waf-logs-`);
      if (d.split(':')[4] !== stored.acl.ARN.split(':')[4])
        problems.push(`destination ${d}: another account`);
    }
    for (const f of (config.RedactedFields as Json[] | undefined) ?? []) {
      const keys = Object.keys(f);
      if (keys.length !== 1 || !['SingleHeader', 'UriPath', 'QueryString', 'Method'].includes(keys[0] ?? ''))
        problems.push(`RedactedFields: ${keys.join(', ')} cannot be redacted`);
    }
    const filter = config.LoggingFilter as { Filters: { Conditions: Json[] }[] } | undefined;
    for (const c of filter?.Filters.flatMap((x) => x.Conditions) ?? []) {
      const label = (c.LabelNameCondition as { LabelName?: string } | undefined)?.LabelName;
      if (
        label !== undefined &&
        !/^awswaf:(\d{12}:(webacl|rulegroup):[\w-]+|managed:[\w-]+(:[\w-]+)*):.+/.test(label)
      )
        problems.push(`LabelNameCondition ${label}: not a fully qualified label`);
    }
    if (stored.logging?.ManagedByFirewallManager)
      problems.push('the logging configuration is managed by Firewall Manager');
    if (problems.length) {
      this.rejected.push({ operation: 'PutLoggingConfiguration', errors: problems });
      throw new AwsError('WAFInvalidParameterException', problems.join('; '));
    }
  }

  /** The service's checks beyond the model's shapes. */
  private checkRules(rules: Json[], scope: Scope, region: string, account: string, acl?: Json): void {
    const problems: string[] = [];
    const names = new Set<string>();
    const priorities = new Set<number>();
    const managedNames = new Set(
      [
        ...((acl?.PreProcessFirewallManagerRuleGroups as Json[] | undefined) ?? []),
        ...((acl?.PostProcessFirewallManagerRuleGroups as Json[] | undefined) ?? []),
      ].map((g) => g.Name as string),
    );
    for (const [i, rule] of rules.entries()) {
      const at = `Rules[${i}] (${String(rule.Name)})`;
      if (managedNames.has(rule.Name as string)) {
        this.rejected.push({
          operation: 'rules',
          errors: [`${at}: the name of a Firewall Manager rule group`],
        });
        throw new AwsError(
          'WAFInvalidOperationException',
          `${at}: ${String(rule.Name)} is a Firewall Manager rule group of this web ACL; only Firewall Manager changes it`,
        );
      }
      if (names.has(rule.Name as string)) problems.push(`${at}: duplicate rule name`);
      if (priorities.has(rule.Priority as number))
        problems.push(`${at}: duplicate priority ${rule.Priority}`);
      names.add(rule.Name as string);
      priorities.add(rule.Priority as number);
      const statement = rule.Statement as Json;
      const isGroup = Boolean(statement.ManagedRuleGroupStatement || statement.RuleGroupReferenceStatement);
      if (isGroup && (!rule.OverrideAction || rule.Action))
        problems.push(`${at}: a rule group rule takes OverrideAction, not Action`);
      if (!isGroup && (!rule.Action || rule.OverrideAction))
        problems.push(`${at}: a rule takes Action, not OverrideAction`);
      this.checkStatement(statement, `${at}.Statement`, true, problems, scope, region, account);
    }
    if (problems.length) {
      this.rejected.push({ operation: 'rules', errors: problems });
      throw new AwsError('WAFInvalidParameterException', problems.join('; '));
    }
  }

  private checkStatement(
    s: Json,
    at: string,
    top: boolean,
    problems: string[],
    scope: Scope,
    region: string,
    account: string,
  ): void {
    const [type, raw] = Object.entries(s)[0] ?? ['', {}];
    const body = raw as Json;
    switch (type) {
      case 'AndStatement':
      case 'OrStatement': {
        const children = body.Statements as Json[];
        if (children.length < 2) problems.push(`${at}: ${type} needs at least 2 statements`);
        children.forEach((c, i) => {
          this.checkStatement(c, `${at}.${type}.Statements[${i}]`, false, problems, scope, region, account);
        });
        return;
      }
      case 'NotStatement':
        this.checkStatement(
          body.Statement as Json,
          `${at}.NotStatement`,
          false,
          problems,
          scope,
          region,
          account,
        );
        return;
      case 'ByteMatchStatement': {
        const bytes = Buffer.from(body.SearchString as string, 'base64').length;
        if (bytes > SEARCH_STRING_MAX)
          problems.push(`${at}: SearchString is ${bytes} bytes, at most ${SEARCH_STRING_MAX}`);
        if (bytes === 0) problems.push(`${at}: SearchString is empty`);
        return;
      }
      case 'ManagedRuleGroupStatement':
      case 'RuleGroupReferenceStatement': {
        if (!top) problems.push(`${at}: ${type} cannot be nested`);
        const overrides = (body.RuleActionOverrides as { Name: string }[] | undefined) ?? [];
        if (new Set(overrides.map((o) => o.Name)).size !== overrides.length)
          problems.push(`${at}: duplicate RuleActionOverrides`);
        return;
      }
      case 'IPSetReferenceStatement': {
        const exists = [...this.location(scope, region, account).ipSets.values()].some(
          (x) => x.ipSet.ARN === body.ARN,
        );
        if (!exists)
          throw new AwsError(
            'WAFNonexistentItemException',
            `IP set ${String(body.ARN)} does not exist in ${scope} ${region}`,
          );
        const settling = this.settling.get(body.ARN as string) ?? 0;
        if (settling > 0) {
          this.settling.set(body.ARN as string, settling - 1);
          throw new AwsError(
            'WAFUnavailableEntityException',
            'AWS WAF couldn’t retrieve a resource that you specified for this operation. If you’ve just created a resource that you’re using in this operation, you might just need to wait a few minutes.',
          );
        }
        return;
      }
      default:
        return;
    }
  }
}

export async function startLocalWafv2(options?: LocalWafv2Options): Promise<LocalWafv2> {
  return new LocalWafv2(options).start();
}

/** A web ACL rule holding an AWS managed rule group, as the console creates it. */
export function managedGroupRule(name: string, priority: number, extra: Json = {}): Json {
  return {
    Name: `AWS-${name}`,
    Priority: priority,
    Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name, ...extra } },
    OverrideAction: { None: {} },
    VisibilityConfig: {
      SampledRequestsEnabled: true,
      CloudWatchMetricsEnabled: true,
      MetricName: `AWS-${name}`,
    },
  };
}

/** A plain rule someone else owns (rate limit on wp-login.php). */
export function rateRule(name: string, priority: number): Json {
  return {
    Name: name,
    Priority: priority,
    Statement: {
      RateBasedStatement: {
        Limit: 100,
        AggregateKeyType: 'IP',
        ScopeDownStatement: {
          ByteMatchStatement: {
            SearchString: Buffer.from('/wp-login.php').toString('base64'),
            FieldToMatch: { UriPath: {} },
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
            PositionalConstraint: 'EXACTLY',
          },
        },
      },
    },
    Action: { Block: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
  };
}
