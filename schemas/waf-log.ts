import { z } from 'zod';

/**
 * The AWS WAF log record, formatVersion 1 (DESIGN §3).
 *
 * WAF adds fields over time and an unknown field must never reject a record: objects accept any
 * extra keys and leave them out of the parsed value (zod's default), which is also the fast path:
 * nothing downstream reads a field that is not declared here.
 * Nearly everything below the top level may be null or absent in real logs, so only the fields
 * without which a record cannot be placed (when, which web ACL, what happened, which client and
 * request) are required.
 */

const nullish = <T extends z.ZodType>(schema: T) => schema.nullish();

export const matchDetailSchema = z.object({
  conditionType: nullish(z.string()),
  sensitivityLevel: nullish(z.string()),
  location: nullish(z.string()),
  matchedData: nullish(z.array(z.string().nullable())),
  matchedFieldName: nullish(z.string()),
});

export const ruleMatchSchema = z.object({
  ruleId: z.string(),
  action: z.string(),
  overriddenAction: nullish(z.string()),
  ruleMatchDetails: nullish(z.array(matchDetailSchema)),
});

/**
 * A rule excluded from its group (the legacy `ExcludedRules`, now a Count rule action override):
 * `exclusionType` `EXCLUDED_AS_COUNT`, the rule's id, and in some logs its match details. Only
 * excluded rules that matched the request are listed. Every part may be null or absent.
 */
export const excludedRuleSchema = z.object({
  exclusionType: nullish(z.string()),
  ruleId: nullish(z.string()),
  ruleMatchDetails: nullish(z.array(matchDetailSchema)),
});

export const ruleGroupEntrySchema = z.object({
  ruleGroupId: z.string(),
  terminatingRule: nullish(ruleMatchSchema),
  nonTerminatingMatchingRules: nullish(z.array(ruleMatchSchema)),
  excludedRules: nullish(z.array(excludedRuleSchema)),
  customerConfig: z.unknown().optional(),
});

export const headerSchema = z.object({
  name: z.string(),
  value: nullish(z.string()),
});

export const httpRequestSchema = z.object({
  clientIp: z.string(),
  country: nullish(z.string()),
  headers: nullish(z.array(headerSchema)),
  uri: z.string(),
  args: nullish(z.string()),
  httpVersion: nullish(z.string()),
  httpMethod: z.string(),
  requestId: nullish(z.string()),
  fragment: nullish(z.string()),
  scheme: nullish(z.string()),
  host: nullish(z.string()),
});

export const wafLogRecordSchema = z.object({
  timestamp: z.number().int().nonnegative(),
  formatVersion: nullish(z.number()),
  webaclId: z.string().min(1),
  terminatingRuleId: z.string(),
  terminatingRuleType: nullish(z.string()),
  action: z.string().min(1),
  terminatingRuleMatchDetails: nullish(z.array(matchDetailSchema)),
  httpSourceName: nullish(z.string()),
  httpSourceId: nullish(z.string()),
  ruleGroupList: nullish(z.array(ruleGroupEntrySchema)),
  rateBasedRuleList: nullish(z.array(z.object({}))),
  nonTerminatingMatchingRules: nullish(z.array(ruleMatchSchema)),
  requestHeadersInserted: z.unknown().optional(),
  responseCodeSent: nullish(z.number()),
  httpRequest: httpRequestSchema,
  labels: nullish(z.array(z.object({ name: z.string() }))),
  captchaResponse: z.unknown().optional(),
  challengeResponse: z.unknown().optional(),
  ja3Fingerprint: nullish(z.string()),
  ja4Fingerprint: nullish(z.string()),
  oversizeFields: nullish(z.array(z.string())),
  requestBodySize: nullish(z.number()),
  requestBodySizeInspectedByWAF: nullish(z.number()),
  clientAsn: nullish(z.union([z.number(), z.string()])),
});

export type WafLogRecord = z.infer<typeof wafLogRecordSchema>;
export type RuleMatch = z.infer<typeof ruleMatchSchema>;
export type RuleGroupEntry = z.infer<typeof ruleGroupEntrySchema>;
export type ExcludedRule = z.infer<typeof excludedRuleSchema>;
export type MatchDetail = z.infer<typeof matchDetailSchema>;
