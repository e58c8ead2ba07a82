import { z } from 'zod';
import { decisionsReportSchema } from './decision.js';
import { verdictSchema } from './event.js';
import { suggestionSchema } from './suggestion.js';

/**
 * What `waftune analyze --json` prints: the suggestion set (`version`, `window`, `suggestions`,
 * the contract `plan`/`apply` read) plus the report around it.
 */

const count = z.number().int().nonnegative();

export const falsePositiveCandidateSchema = z.object({
  ruleGroup: z.string().nullable(),
  ruleId: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  requests: count,
  clientIps: count,
  sites: count,
  webAcls: z.array(z.string()),
  hosts: z.array(z.string()),
  loggedInShare: z.number().nullable(),
  signals: z.array(z.string()),
  reasons: z.array(z.string()),
});
export type FalsePositiveCandidate = z.infer<typeof falsePositiveCandidateSchema>;

export const attackSourceSchema = z.object({
  clientIp: z.string(),
  requests: count,
  sites: count,
  webAcls: count,
  rules: z.array(z.string()),
  signals: z.array(z.string()),
  reasons: z.array(z.string()),
  userAgent: z.string().nullable(),
  samplePaths: z.array(z.string()),
});
export type AttackSource = z.infer<typeof attackSourceSchema>;

/**
 * A file whose lines held several records back to back with no newline (`}{`): every record was
 * read (a piece that still failed is a reject of its own); one entry per file.
 */
export const concatenatedFileSchema = z.object({
  file: z.string(),
  /** Lines that held more than one record. */
  lines: count,
  /** Records on those lines. */
  records: count,
  firstLine: z.number().int().positive(),
});
export type ConcatenatedFile = z.infer<typeof concatenatedFileSchema>;

/** One line per AWS account of the data: the fleet cut by account. */
export const accountLineSchema = z.object({
  account: z.string(),
  /** Its name in the fleet file, or null. */
  name: z.string().nullable(),
  webAcls: count,
  sites: count,
  blocked: count,
  likelyFalsePositives: count,
  likelyAttacks: count,
  /** Suggestions that touch this account's web ACLs (IP blocks: where the address was seen). */
  suggestions: count,
});
export type AccountLine = z.infer<typeof accountLineSchema>;

export const reportSchema = z.object({
  version: z.literal(1),
  window: z.object({ from: z.string(), to: z.string() }),
  input: z.object({
    files: count,
    bytes: count,
    lines: count,
    events: count,
    rejected: count,
    rejectsFile: z.string().nullable(),
    rejectedByReason: z.record(z.string(), count),
    rejectedSamples: z.array(
      z.object({
        file: z.string(),
        line: z.number().nullable(),
        /** A CloudWatch Logs event (where `file` is `cwl://group/stream`): its id and time. */
        event: z.object({ id: z.string(), time: z.string() }).optional(),
        reason: z.string(),
        excerpt: z.string().nullable(),
      }),
    ),
    /** Added after version 1 first shipped: absent in older reports. */
    concatenated: z.array(concatenatedFileSchema).default([]),
  }),
  /** The data inside the window (all of it unless --since narrowed it). */
  fleet: z.object({ events: count, webAcls: count, sites: count, clientIps: count }),
  totals: z.object({
    /** Requests by WAF's final action (`action`): ALLOW stays ALLOW even when a rule counted it. */
    byAction: z.record(z.string(), count),
    /**
     * Requests that a rule matched but only counted, no rule acting on them (`rule_action` COUNT):
     * whatever WAF finally did. Until this field existed, byAction listed the allowed ones as COUNT.
     */
    countedRequests: count.default(0),
    classified: count,
    byVerdict: z.record(verdictSchema, count),
  }),
  topRules: z.array(
    z.object({
      ruleGroup: z.string().nullable(),
      ruleId: z.string().nullable(),
      action: z.string(),
      requests: count,
      clientIps: count,
      sites: count,
    }),
  ),
  topBlockedPaths: z.array(
    z.object({
      host: z.string(),
      path: z.string(),
      requests: count,
      clientIps: count,
      topRule: z.string().nullable(),
    }),
  ),
  falsePositiveCandidates: z.array(falsePositiveCandidateSchema),
  attackSources: z.array(attackSourceSchema),
  suggestions: z.array(suggestionSchema),
  /** False-positive groups for which no narrow fix exists, and why. */
  notSuggested: z.array(
    z.object({ ruleId: z.string().nullable(), path: z.string(), requests: count, why: z.string() }),
  ),
  /** Sources with attack-looking requests that are deliberately not blocked (admin work, monitors, private or allowlisted). */
  sparedSources: z.array(z.object({ clientIp: z.string(), attackRequests: count, why: z.string() })),
  /** What the team's decisions did: declined suggestions held back (not in `suggestions`), and those proposed again. */
  decisions: decisionsReportSchema.optional(),
  /** Per AWS account (from the web ACL ARNs), when the data spans several or a fleet file names them. */
  accounts: z.array(accountLineSchema).optional(),
});
export type Report = z.infer<typeof reportSchema>;
