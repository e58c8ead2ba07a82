import { z } from 'zod';
import { decisionNoteSchema } from './decision.js';
import { suggestionSchema } from './suggestion.js';

/**
 * The digest model: everything the daily digest shows, computed once (from local files through
 * DuckDB or from Athena) and rendered twice, as a Slack Block Kit message and as the HTML report.
 * Saved as JSON next to the HTML so that a failed delivery never loses a digest.
 *
 * Every string that came from a WAF log (host, path, rule, IP, user agent, ...) is attacker-written;
 * the renderers escape them, the model keeps them verbatim.
 */

const count = z.number().int().nonnegative();

/** Requests by WAF action and blocks by verdict; `unclassified` is a block no signal looked at. */
export const countsSchema = z.object({
  requests: count,
  allowed: count,
  blocked: count,
  captcha: count,
  challenge: count,
  /** Requests that a rule only counted (rule_action COUNT). */
  counted: count,
  blockedByVerdict: z.object({
    'likely-false-positive': count,
    'likely-attack': count,
    uncertain: count,
    unclassified: count,
  }),
});
export type Counts = z.infer<typeof countsSchema>;

/** Same shape as `countsSchema`, but averages (per day) are not integers. */
export const averageCountsSchema = z.object({
  requests: z.number().nonnegative(),
  allowed: z.number().nonnegative(),
  blocked: z.number().nonnegative(),
  captcha: z.number().nonnegative(),
  challenge: z.number().nonnegative(),
  counted: z.number().nonnegative(),
  blockedByVerdict: z.object({
    'likely-false-positive': z.number().nonnegative(),
    'likely-attack': z.number().nonnegative(),
    uncertain: z.number().nonnegative(),
    unclassified: z.number().nonnegative(),
  }),
});
export type AverageCounts = z.infer<typeof averageCountsSchema>;

export const hourBucketSchema = z.object({
  /** Bucket start, ISO 8601 UTC. */
  start: z.iso.datetime(),
  'likely-false-positive': count,
  'likely-attack': count,
  uncertain: count,
  unclassified: count,
});
export type HourBucket = z.infer<typeof hourBucketSchema>;

export const topRuleSchema = z.object({
  /** Rule group id, or null for a web ACL's own rule. */
  ruleGroup: z.string().nullable(),
  ruleId: z.string(),
  blocked: count,
  falsePositives: count,
  attacks: count,
  sites: count,
});
export type TopRule = z.infer<typeof topRuleSchema>;

export const topSiteSchema = z.object({
  host: z.string(),
  blocked: count,
  falsePositives: count,
  attacks: count,
});
export type TopSite = z.infer<typeof topSiteSchema>;

export const fpCandidateSchema = z.object({
  host: z.string(),
  ruleGroup: z.string().nullable(),
  ruleId: z.string(),
  path: z.string(),
  blocked: count,
  distinctIps: count,
  /** Share of these blocks that carried a WordPress logged-in session, null when cookies are redacted. */
  loggedInShare: z.number().min(0).max(1).nullable(),
  /** The pending suggestion that would let these requests through, when there is one. */
  suggestionId: z.string().nullable(),
});
export type FpCandidate = z.infer<typeof fpCandidateSchema>;

export const attackSourceSchema = z.object({
  clientIp: z.string(),
  country: z.string().nullable(),
  asn: z.string().nullable(),
  requests: count,
  blocked: count,
  sites: count,
  /** The signals that fired most for this source. */
  signals: z.array(z.string()),
  /** The pending ip-block suggestion that covers this source, when there is one. */
  suggestionId: z.string().nullable(),
});
export type AttackSource = z.infer<typeof attackSourceSchema>;

export const pendingSuggestionSchema = z.object({
  suggestion: suggestionSchema,
  /** The command that applies it, e.g. `waftune apply ro-1a2b3c`. */
  applyCommand: z.string(),
});
export type PendingSuggestion = z.infer<typeof pendingSuggestionSchema>;

export const appliedChangeSchema = z.object({
  changeId: z.string(),
  suggestionId: z.string().nullable(),
  kind: z.enum(['rule-override', 'ip-block', 'rollback', 'expire', 'other']),
  appliedAt: z.iso.datetime(),
  /** One line that says what changed, e.g. "SizeRestrictions_BODY to Count on /wp-admin/post.php". */
  summary: z.string(),
  webAcls: z.array(z.string()),
  /** Length of each comparison window, hours: the same span before and after `appliedAt`. */
  windowHours: z.number().positive(),
  /** Requests the change targets that were blocked in the window before it. */
  blockedBefore: count,
  /** ... and in the window after it (what it should have brought down, or up for an IP block). */
  blockedAfter: count,
});
export type AppliedChange = z.infer<typeof appliedChangeSchema>;

export const digestDataSchema = z.object({
  version: z.literal(1),
  generatedAt: z.iso.datetime(),
  /** The digest's day: [from, to), usually 24 hours ending at the scheduled time. */
  window: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
  /** IANA zone the schedule and the shown times use, e.g. `Europe/Berlin`. */
  timeZone: z.string(),
  engine: z.enum(['duckdb', 'athena']),
  fleet: z.object({ sites: count, webAcls: count }),
  totals: countsSchema,
  /** Daily average over the 7 days before the window (zeros when there is no history). */
  previous7DayAverage: averageCountsSchema,
  /** Days of history the average really had (0 to 7): fewer days make the trend less sure. */
  previousDays: z.number().int().min(0).max(7),
  blocksOverTime: z.array(hourBucketSchema),
  topRules: z.array(topRuleSchema),
  topSites: z.array(topSiteSchema),
  fpCandidates: z.array(fpCandidateSchema),
  attackSources: z.array(attackSourceSchema),
  pendingSuggestions: z.array(pendingSuggestionSchema),
  /** Changes applied since the last digest, with their effect. */
  appliedChanges: z.array(appliedChangeSchema),
  /** Suggestions the team declined: held back from the pending list, or proposed again (the note says why). */
  decisions: z
    .object({
      factor: z.number(),
      held: z.array(
        z.object({ suggestionId: z.string(), summary: z.string(), decision: decisionNoteSchema }),
      ),
      reproposed: z.array(
        z.object({
          suggestionId: z.string(),
          why: z.enum(['evidence', 'expired']),
          decision: decisionNoteSchema,
        }),
      ),
    })
    .optional(),
  /** Where the full HTML report lives, when it was stored somewhere reachable by a link. */
  reportUrl: z.url({ protocol: /^https?$/ }).nullable(),
});
export type DigestData = z.infer<typeof digestDataSchema>;

export function applyCommand(suggestionId: string): string {
  return `waftune apply ${suggestionId}`;
}

/** What the digest remembers between runs: when the last one went out, for "changes since the last digest". */
export const digestStateSchema = z.object({
  version: z.literal(1),
  lastDigestAt: z.iso.datetime().nullable(),
  lastDelivered: z.boolean(),
});
export type DigestState = z.infer<typeof digestStateSchema>;
