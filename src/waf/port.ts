import type {
  IpSet,
  IpSetRef,
  IpVersion,
  LoggingConfiguration,
  Rule,
  WafLocation,
  WafScope,
  WebAcl,
  WebAclRef,
} from './types.js';

/**
 * What waftune needs from WAFv2. The adapter over the AWS SDK lives in `adapters/wafv2.ts`; tests
 * run the same adapter against a local endpoint. Every write takes the LockToken of the read it is
 * based on, so a concurrent edit is detected, never overwritten.
 */
export interface WafPort {
  listWebAcls(location: WafLocation): Promise<WebAclRef[]>;
  getWebAcl(ref: WebAclRef): Promise<{ acl: WebAcl; lockToken: string }>;
  /** Replaces the web ACL's mutable spec with `acl`'s; returns the next LockToken. */
  updateWebAcl(ref: WebAclRef, acl: WebAcl, lockToken: string): Promise<string>;
  /** WCU the rules would consume (WAFv2 CheckCapacity). */
  checkCapacity(scope: WafLocation, rules: Rule[]): Promise<number>;
  listIpSets(location: WafLocation): Promise<IpSetRef[]>;
  getIpSet(ref: IpSetRef): Promise<{ ipSet: IpSet; lockToken: string }>;
  createIpSet(
    location: WafLocation,
    spec: { name: string; version: IpVersion; addresses: string[]; description: string },
  ): Promise<IpSetRef>;
  updateIpSet(ref: IpSetRef, addresses: string[], lockToken: string, description?: string): Promise<string>;
  deleteIpSet(ref: IpSetRef, lockToken: string): Promise<void>;
  /** undefined when the web ACL has no logging configuration. */
  getLoggingConfiguration(ref: WebAclRef): Promise<LoggingConfiguration | undefined>;
  putLoggingConfiguration(ref: WebAclRef, config: LoggingConfiguration): Promise<void>;
  deleteLoggingConfiguration(ref: WebAclRef): Promise<void>;
}

/** Why a WAF call failed, in the terms the apply loop acts on. */
export type WafErrorKind =
  | 'lock' // WAFOptimisticLockException: someone else wrote first
  | 'limits' // WAFLimitsExceededException
  | 'not-found' // WAFNonexistentItemException
  | 'duplicate' // WAFDuplicateItemException
  | 'associated' // WAFAssociatedItemException
  | 'invalid' // WAFInvalidParameterException and friends
  | 'other';

export class WafApiError extends Error {
  constructor(
    readonly kind: WafErrorKind,
    /** The service's error name, e.g. WAFOptimisticLockException. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WafApiError';
  }
}

export function isWafError(error: unknown, kind: WafErrorKind): boolean {
  return error instanceof WafApiError && error.kind === kind;
}

export function errorMessage(error: unknown): string {
  if (error instanceof WafApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export const CLOUDFRONT_REGION = 'us-east-1';

export function locationFor(scope: WafScope, regionalRegion: string): WafLocation {
  return { scope, region: scope === 'CLOUDFRONT' ? CLOUDFRONT_REGION : regionalRegion };
}
