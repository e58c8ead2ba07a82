import { z } from 'zod';
import { suggestionSchema } from './suggestion.js';

/**
 * Decisions on suggestions (`waftune decline`, `waftune decisions --undo`), kept in the change
 * history's store (`<changes>/decisions/<decision-id>.json`, locally or on S3): one record per
 * decision, never rewritten, so two people deciding at once both keep theirs. The state of a
 * suggestion is its latest decline not undone since.
 */

const iso = z.iso.datetime();

export const decisionActorSchema = z.object({
  user: z.string().min(1),
  host: z.string().optional(),
});
export type DecisionActor = z.infer<typeof decisionActorSchema>;

/**
 * How much evidence a suggestion had, per day of the window it came from, so runs over windows of
 * different lengths (a 6-hour watch, a day's digest, a week's analyze) compare alike.
 * rule-override: blocked requests it would let through; ip-block: requests the address sent.
 */
export const evidenceMeasureSchema = z.enum(['blocked-requests-per-day', 'requests-per-day']);
export type EvidenceMeasure = z.infer<typeof evidenceMeasureSchema>;

export const evidenceSnapshotSchema = z.object({
  measure: evidenceMeasureSchema,
  perDay: z.number().nonnegative(),
  count: z.number().int().nonnegative(),
  windowHours: z.number().positive(),
});
export type EvidenceSnapshot = z.infer<typeof evidenceSnapshotSchema>;

export const declineSchema = z.object({
  version: z.literal(1),
  id: z.string().regex(/^dec-[\w-]+$/),
  kind: z.literal('decline'),
  suggestionId: z.string().min(1),
  at: iso,
  by: decisionActorSchema,
  reason: z.string().max(2000).nullable(),
  /** The decision holds until then; after it, the suggestion is proposed again. */
  until: iso,
  /** The evidence when declined (null: the suggestion was not in the saved set; held whatever it grows to). */
  evidence: evidenceSnapshotSchema.nullable(),
  /** The suggestion as declined, so the record stands on its own. */
  suggestion: suggestionSchema.nullable(),
});
export type Decline = z.infer<typeof declineSchema>;

export const undoSchema = z.object({
  version: z.literal(1),
  id: z.string().regex(/^dec-[\w-]+$/),
  kind: z.literal('undo'),
  suggestionId: z.string().min(1),
  at: iso,
  by: decisionActorSchema,
  /** The decline taken back. */
  undoes: z.string(),
  reason: z.string().max(2000).nullable(),
});
export type Undo = z.infer<typeof undoSchema>;

export const decisionSchema = z.discriminatedUnion('kind', [declineSchema, undoSchema]);
export type Decision = z.infer<typeof decisionSchema>;

/** A decision as reports show it next to the suggestion it is about. */
export const decisionNoteSchema = z.object({
  decisionId: z.string(),
  suggestionId: z.string(),
  declinedAt: iso,
  by: z.string(),
  reason: z.string().nullable(),
  until: iso,
  evidence: z.object({
    measure: evidenceMeasureSchema,
    /** Per day when declined; null when the decline had none. */
    atDecline: z.number().nullable(),
    now: z.number(),
    /** now / atDecline; null without a baseline (or a zero one). */
    ratio: z.number().nullable(),
  }),
  /** The one line a report prints, e.g. "declined on 2026-11-20 by alice, evidence since x3.4: proposed again". */
  note: z.string(),
});
export type DecisionNote = z.infer<typeof decisionNoteSchema>;

/** In `analyze --json`: what the decisions did to this run's suggestions. */
export const decisionsReportSchema = z.object({
  /** A held suggestion is proposed again when its evidence per day reaches this multiple of what it was. */
  factor: z.number(),
  /** Declined and still held: not in `suggestions`. */
  held: z.array(z.object({ suggestion: suggestionSchema, decision: decisionNoteSchema })),
  /** Declined, but proposed again (in `suggestions`): the evidence grew past the factor, or the decision ran out. */
  reproposed: z.array(
    z.object({
      suggestionId: z.string(),
      why: z.enum(['evidence', 'expired']),
      decision: decisionNoteSchema,
    }),
  ),
});
export type DecisionsReport = z.infer<typeof decisionsReportSchema>;
