import { z } from 'zod';

/**
 * Alert contracts: what the spike detector reports, and the state kept between runs of
 * `functions/alerts` / `waftune watch` (an S3 object, or a file under `--state-dir` locally) for
 * dedup, cooldown and threading. Also the outbox of messages whose delivery failed, so that the
 * next run sends them instead of losing them.
 */

export const ALERT_KINDS = [
  /** False-positive blocks for one (site, rule, path) far above their recent baseline. */
  'fp-spike',
  /** The same, summed over the fleet (one rule across every site, or all false positives). */
  'fleet-spike',
  /** An applied rule override whose requests are still being blocked after it should have taken effect. */
  'override-ineffective',
  /** A rule with no blocks in the baseline starts blocking on several sites: often a managed rule update. */
  'new-rule-activity',
] as const;
export const alertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof alertKindSchema>;

export const alertScopeSchema = z.object({
  /** null: fleet-wide. */
  host: z.string().nullable(),
  ruleGroup: z.string().nullable(),
  /** null: every rule. */
  ruleId: z.string().nullable(),
  /** null: every path. */
  path: z.string().nullable(),
});
export type AlertScope = z.infer<typeof alertScopeSchema>;

export const alertSchema = z.object({
  /** Stable across runs for the same kind and scope: the dedup key. */
  key: z.string(),
  kind: alertKindSchema,
  scope: alertScopeSchema,
  /** Start of the bucket that spiked, ISO 8601. */
  at: z.iso.datetime(),
  bucketMinutes: z.number().int().positive(),
  /** Events in the spiking bucket. */
  count: z.number().int().nonnegative(),
  /** Median of the baseline buckets. */
  baseline: z.number().nonnegative(),
  /** Robust z-score of the count against the baseline; null where no baseline applies. */
  z: z.number().nullable(),
  /** Sites involved (1 for a site alert). */
  sites: z.number().int().nonnegative(),
  /** The sites with most of the blocks, most first (at most 5). */
  hosts: z.array(z.string()),
  /** When the change was applied (override-ineffective). */
  appliedAt: z.iso.datetime().nullable(),
  /** A managed rule group update just before the new activity, when one is known. */
  ruleUpdate: z.object({ at: z.string(), version: z.string().nullable() }).nullable(),
  /** The change this alert is about (override-ineffective), or the latest one on the same rule. */
  changeId: z.string().nullable(),
  /** The pending suggestion that fixes it, and the command that applies it. */
  suggestionId: z.string().nullable(),
  command: z.string(),
  /** One plain sentence, values not escaped (renderers escape). */
  summary: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertRecordSchema = z.object({
  key: z.string(),
  kind: alertKindSchema,
  scope: alertScopeSchema,
  firstSentAt: z.iso.datetime(),
  lastSentAt: z.iso.datetime(),
  /** Last run in which the condition held. */
  lastSeenAt: z.iso.datetime(),
  lastCount: z.number().int().nonnegative(),
  peakCount: z.number().int().nonnegative(),
  /** Messages sent for this alert (first + follow-ups). */
  messages: z.number().int().nonnegative(),
  /** Detections that sent nothing (within cooldown and no thread to reply in). */
  suppressed: z.number().int().nonnegative(),
  /** Where the first message went, when the delivery can thread (Slack `chat.postMessage`). */
  thread: z.object({ channel: z.string(), ts: z.string() }).nullable(),
  /** The condition held at the last run; false once it went back to baseline. */
  active: z.boolean(),
});
export type AlertRecord = z.infer<typeof alertRecordSchema>;

export const alertStateSchema = z.object({
  version: z.literal(1),
  updatedAt: z.iso.datetime(),
  alerts: z.array(alertRecordSchema),
});
export type AlertState = z.infer<typeof alertStateSchema>;

export function emptyAlertState(now: Date): AlertState {
  return { version: 1, updatedAt: now.toISOString(), alerts: [] };
}

/** A message whose delivery failed: kept and retried by the next run, never dropped silently. */
export const outboxItemSchema = z.object({
  id: z.string(),
  kind: z.enum(['digest', 'alert']),
  createdAt: z.iso.datetime(),
  attempts: z.number().int().nonnegative(),
  lastError: z.string(),
  /** The Slack message (Block Kit payload). */
  message: z.record(z.string(), z.unknown()),
  /** Thread to reply in, for alert follow-ups. */
  threadTs: z.string().nullable(),
  /** Alert key to update with the thread once delivered. */
  alertKey: z.string().nullable(),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

export const outboxSchema = z.object({ version: z.literal(1), items: z.array(outboxItemSchema) });
export type Outbox = z.infer<typeof outboxSchema>;
