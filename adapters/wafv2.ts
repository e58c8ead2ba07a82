import {
  CheckCapacityCommand,
  CreateIPSetCommand,
  DeleteIPSetCommand,
  DeleteLoggingConfigurationCommand,
  GetIPSetCommand,
  GetLoggingConfigurationCommand,
  GetWebACLCommand,
  ListIPSetsCommand,
  ListWebACLsCommand,
  PutLoggingConfigurationCommand,
  type LoggingConfiguration as SdkLoggingConfiguration,
  type Rule as SdkRule,
  UpdateIPSetCommand,
  UpdateWebACLCommand,
  WAFV2Client,
  type WAFV2ClientConfig,
} from '@aws-sdk/client-wafv2';
import { CLOUDFRONT_REGION, WafApiError, type WafErrorKind, type WafPort } from '../src/waf/port.js';
import type {
  IpSet,
  IpSetRef,
  LoggingConfiguration,
  Rule,
  WafLocation,
  WebAcl,
  WebAclRef,
} from '../src/waf/types.js';
import { wafv2ClientConfig } from './aws-client-config.js';
import { DEFAULT_ENTITY_RETRY, type EntityRetry, retryUnavailableEntity } from './waf-entity-retry.js';

/**
 * WafPort over @aws-sdk/client-wafv2 with the standard SDK configuration: profile, region,
 * credentials and `AWS_ENDPOINT_URL_WAFV2` come from the usual places; CLOUDFRONT calls go to
 * us-east-1 whatever the region. The domain keeps blobs as base64 text (the wire form); the SDK
 * wants bytes, so `SearchString` is converted at this edge.
 */

export interface Wafv2PortOptions {
  profile?: string;
  region?: string;
  /** Extra client settings (tests pass `endpoint` and credentials). */
  clientConfig?: WAFV2ClientConfig;
  /** Retries of a just-created IP set that WAF does not see yet (waf-entity-retry.ts). */
  entityRetry?: EntityRetry;
}

const ERROR_KINDS: Record<string, WafErrorKind> = {
  WAFOptimisticLockException: 'lock',
  WAFLimitsExceededException: 'limits',
  WAFNonexistentItemException: 'not-found',
  WAFDuplicateItemException: 'duplicate',
  WAFAssociatedItemException: 'associated',
  WAFInvalidParameterException: 'invalid',
  WAFInvalidOperationException: 'invalid',
};

/** Members of a read WebACL that UpdateWebACL does not take. */
const READ_ONLY = new Set([
  'ARN',
  'Capacity',
  'PreProcessFirewallManagerRuleGroups',
  'PostProcessFirewallManagerRuleGroups',
  'ManagedByFirewallManager',
  'LabelNamespace',
  'RetrofittedByFirewallManager',
]);

function toError(error: unknown): Error {
  if (error instanceof Error && error.name in ERROR_KINDS) {
    return new WafApiError(ERROR_KINDS[error.name] ?? 'other', error.name, error.message);
  }
  if (error instanceof Error && /^WAF\w+Exception$/.test(error.name))
    return new WafApiError('other', error.name, error.message);
  return error instanceof Error ? error : new Error(String(error));
}

/** SDK output -> wire form: Uint8Array blobs become base64. */
function fromSdk<T>(value: unknown): T {
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => [k, walk(x)]),
      );
    }
    return v;
  };
  return walk(value) as T;
}

/** Wire form -> SDK input: `SearchString` base64 text becomes bytes. */
function toSdkRules(rules: readonly Rule[]): SdkRule[] {
  const walk = (v: unknown, key?: string): unknown => {
    if (key === 'SearchString' && typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64'));
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(rules) as SdkRule[];
}

export class Wafv2Port implements WafPort {
  private readonly clients = new Map<string, WAFV2Client>();

  constructor(private readonly options: Wafv2PortOptions = {}) {}

  /** The region REGIONAL resources are managed in (option, then the SDK's own resolution). */
  async defaultRegion(): Promise<string> {
    const client = this.client(this.options.region);
    const region = await client.config.region();
    if (!region) throw new Error('no AWS region: pass --region or set AWS_REGION');
    return region;
  }

  private client(region: string | undefined): WAFV2Client {
    const key = region ?? '';
    let client = this.clients.get(key);
    if (!client) {
      client = new WAFV2Client(
        wafv2ClientConfig({
          ...(this.options.profile ? { profile: this.options.profile } : {}),
          ...(region ? { region } : {}),
          ...this.options.clientConfig,
        }),
      );
      this.clients.set(key, client);
    }
    return client;
  }

  private for(location: WafLocation): WAFV2Client {
    return this.client(location.scope === 'CLOUDFRONT' ? CLOUDFRONT_REGION : location.region);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toError(error);
    }
  }

  /** A call whose rules reference other entities (IP sets), which WAF may not see yet. */
  private referencing<T>(fn: () => Promise<T>): Promise<T> {
    return this.call(() => retryUnavailableEntity(fn, this.options.entityRetry ?? DEFAULT_ENTITY_RETRY));
  }

  async listWebAcls(location: WafLocation): Promise<WebAclRef[]> {
    const out: WebAclRef[] = [];
    let marker: string | undefined;
    do {
      const page = await this.call(() =>
        this.for(location).send(
          new ListWebACLsCommand({
            Scope: location.scope,
            Limit: 100,
            ...(marker ? { NextMarker: marker } : {}),
          }),
        ),
      );
      for (const s of page.WebACLs ?? []) {
        if (s.Name && s.Id && s.ARN) out.push({ ...location, name: s.Name, id: s.Id, arn: s.ARN });
      }
      marker = page.WebACLs?.length ? page.NextMarker : undefined;
    } while (marker);
    return out;
  }

  async getWebAcl(ref: WebAclRef): Promise<{ acl: WebAcl; lockToken: string }> {
    const out = await this.call(() =>
      this.for(ref).send(new GetWebACLCommand({ Name: ref.name, Scope: ref.scope, Id: ref.id })),
    );
    if (!out.WebACL || !out.LockToken) throw new Error(`GetWebACL ${ref.name} returned no web ACL`);
    return { acl: fromSdk<WebAcl>(out.WebACL), lockToken: out.LockToken };
  }

  async updateWebAcl(ref: WebAclRef, acl: WebAcl, lockToken: string): Promise<string> {
    // Everything the read returned goes back (UpdateWebACL replaces the whole spec), except what is read-only.
    const spec = Object.fromEntries(Object.entries(acl).filter(([k]) => !READ_ONLY.has(k)));
    const out = await this.referencing(() =>
      this.for(ref).send(
        new UpdateWebACLCommand({
          ...(spec as Omit<WebAcl, 'Rules'>),
          Name: ref.name,
          Id: ref.id,
          Scope: ref.scope,
          DefaultAction: acl.DefaultAction,
          VisibilityConfig: acl.VisibilityConfig,
          Rules: toSdkRules(acl.Rules ?? []),
          LockToken: lockToken,
        }),
      ),
    );
    if (!out.NextLockToken) throw new Error(`UpdateWebACL ${ref.name} returned no LockToken`);
    return out.NextLockToken;
  }

  async checkCapacity(location: WafLocation, rules: Rule[]): Promise<number> {
    const out = await this.referencing(() =>
      this.for(location).send(new CheckCapacityCommand({ Scope: location.scope, Rules: toSdkRules(rules) })),
    );
    return Number(out.Capacity ?? 0);
  }

  async listIpSets(location: WafLocation): Promise<IpSetRef[]> {
    const out: IpSetRef[] = [];
    let marker: string | undefined;
    do {
      const page = await this.call(() =>
        this.for(location).send(
          new ListIPSetsCommand({
            Scope: location.scope,
            Limit: 100,
            ...(marker ? { NextMarker: marker } : {}),
          }),
        ),
      );
      for (const s of page.IPSets ?? []) {
        if (s.Name && s.Id && s.ARN) out.push({ ...location, name: s.Name, id: s.Id, arn: s.ARN });
      }
      marker = page.IPSets?.length ? page.NextMarker : undefined;
    } while (marker);
    return out;
  }

  async getIpSet(ref: IpSetRef): Promise<{ ipSet: IpSet; lockToken: string }> {
    const out = await this.call(() =>
      this.for(ref).send(new GetIPSetCommand({ Name: ref.name, Scope: ref.scope, Id: ref.id })),
    );
    if (!out.IPSet || !out.LockToken) throw new Error(`GetIPSet ${ref.name} returned no IP set`);
    return { ipSet: fromSdk<IpSet>(out.IPSet), lockToken: out.LockToken };
  }

  async createIpSet(
    location: WafLocation,
    spec: { name: string; version: 'IPV4' | 'IPV6'; addresses: string[]; description: string },
  ): Promise<IpSetRef> {
    const out = await this.call(() =>
      this.for(location).send(
        new CreateIPSetCommand({
          Name: spec.name,
          Scope: location.scope,
          IPAddressVersion: spec.version,
          Addresses: spec.addresses,
          Description: spec.description,
          Tags: [{ Key: 'managed-by', Value: 'waftune' }],
        }),
      ),
    );
    const s = out.Summary;
    if (!s?.Name || !s.Id || !s.ARN) throw new Error(`CreateIPSet ${spec.name} returned no summary`);
    return { ...location, name: s.Name, id: s.Id, arn: s.ARN };
  }

  async updateIpSet(
    ref: IpSetRef,
    addresses: string[],
    lockToken: string,
    description?: string,
  ): Promise<string> {
    const out = await this.call(() =>
      this.for(ref).send(
        new UpdateIPSetCommand({
          Name: ref.name,
          Scope: ref.scope,
          Id: ref.id,
          Addresses: addresses,
          LockToken: lockToken,
          // UpdateIPSet replaces the description too: send back what was there.
          ...(description ? { Description: description } : {}),
        }),
      ),
    );
    if (!out.NextLockToken) throw new Error(`UpdateIPSet ${ref.name} returned no LockToken`);
    return out.NextLockToken;
  }

  async getLoggingConfiguration(ref: WebAclRef): Promise<LoggingConfiguration | undefined> {
    try {
      const out = await this.call(() =>
        this.for(ref).send(new GetLoggingConfigurationCommand({ ResourceArn: ref.arn })),
      );
      return out.LoggingConfiguration ? fromSdk<LoggingConfiguration>(out.LoggingConfiguration) : undefined;
    } catch (error) {
      if (error instanceof WafApiError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  async putLoggingConfiguration(ref: WebAclRef, config: LoggingConfiguration): Promise<void> {
    // What GetLoggingConfiguration reports about Firewall Manager is not the caller's to send back.
    const { ManagedByFirewallManager: _fms, ...spec } = config;
    await this.call(() =>
      this.for(ref).send(
        new PutLoggingConfigurationCommand({ LoggingConfiguration: spec as SdkLoggingConfiguration }),
      ),
    );
  }

  async deleteLoggingConfiguration(ref: WebAclRef): Promise<void> {
    await this.call(() =>
      this.for(ref).send(new DeleteLoggingConfigurationCommand({ ResourceArn: ref.arn })),
    );
  }

  async deleteIpSet(ref: IpSetRef, lockToken: string): Promise<void> {
    await this.call(() =>
      this.for(ref).send(
        new DeleteIPSetCommand({ Name: ref.name, Scope: ref.scope, Id: ref.id, LockToken: lockToken }),
      ),
    );
  }
}
