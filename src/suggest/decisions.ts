import { randomBytes } from 'node:crypto';
import type {
  Decision,
  DecisionNote,
  DecisionsReport,
  Decline,
  EvidenceSnapshot,
} from '../../schemas/decision.js';
import type { Report } from '../../schemas/report.js';
import type { Suggestion, SuggestionSet } from '../../schemas/suggestion.js';

/**
 * Decisions that stick (like Akamai's accepted/declined tuning recommendations): a suggestion the
 * team declined is not proposed again while the decision holds, unless its evidence has grown to
 * `REPROPOSE_FACTOR` times what it was when declined. A pure step after `suggest()`: the edges
 * (CLI, digest, watch) read the decisions from the change history's store and hand them in.
 *
 * The evidence measure is per day of the window the suggestion came from: for a rule-override the
 * blocked requests it would let through, for an ip-block the requests the address sent. Requests
 * measure what the decision costs (legitimate work still blocked, or an attacker still let in);
 * per day, so that a 6-hour watch, a day's digest and a week's analyze compare alike (distinct
 * addresses do not add up across windows and would re-propose on a longer window alone).
 */

export const REPROPOSE_FACTOR = 3;
/** Windows shorter than this count as this long: a few minutes of data would make any rate look huge. */
const MIN_WINDOW_HOURS = 1;
/** An expired decision is still mentioned next to its suggestion this long after it ran out. */
const EXPIRED_NOTE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface Window {
  from: string;
  to: string;
}

/** Where decisions are kept: the change history's store (adapters/audit-store-*.ts). */
export interface DecisionStore {
  readonly decisionsLocation: string;
  /** Records one decision; never overwrites one already there. */
  addDecision(decision: Decision): Promise<void>;
  /** Every decision, oldest first. */
  listDecisions(): Promise<Decision[]>;
}

export function newDecisionId(now: Date): string {
  const iso = now.toISOString();
  return `dec-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${randomBytes(2).toString('hex')}`;
}

export function windowHours(window: Window): number {
  const ms = Date.parse(window.to) - Date.parse(window.from);
  return Math.max(MIN_WINDOW_HOURS, Number.isFinite(ms) ? ms / 3_600_000 : 0);
}

export function evidenceOf(s: Suggestion, window: Window): EvidenceSnapshot {
  const hours = windowHours(window);
  const count = s.kind === 'rule-override' ? s.evidence.blockedRequests : s.evidence.requests;
  // Unrounded: x3 must mean three times the blocks in the same window, not three times a rounding.
  return {
    measure: s.kind === 'rule-override' ? 'blocked-requests-per-day' : 'requests-per-day',
    count,
    windowHours: hours,
    perDay: (count / hours) * 24,
  };
}

export function describeMeasure(measure: EvidenceSnapshot['measure']): string {
  return measure === 'blocked-requests-per-day' ? 'blocked requests per day' : 'requests per day';
}

export interface DecisionState {
  decline: Decline;
  status: 'active' | 'expired';
}

/** The latest decline of each suggestion that no undo took back, with whether it still holds. */
export function currentDecisions(decisions: readonly Decision[], now: Date): Map<string, DecisionState> {
  const ordered = [...decisions].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
  const latest = new Map<string, Decline>();
  for (const d of ordered) {
    if (d.kind === 'decline') latest.set(d.suggestionId, d);
    else if (latest.get(d.suggestionId)?.id === d.undoes) latest.delete(d.suggestionId);
  }
  const out = new Map<string, DecisionState>();
  for (const [id, decline] of latest) {
    out.set(id, { decline, status: Date.parse(decline.until) > now.getTime() ? 'active' : 'expired' });
  }
  return out;
}

function who(d: Decline): string {
  return d.by.host ? `${d.by.user}@${d.by.host}` : d.by.user;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Rounded down, so a held suggestion never reads as grown to the factor. */
function formatRatio(ratio: number): string {
  return `x${ratio >= 10 ? Math.floor(ratio) : Math.floor(ratio * 10 + 1e-9) / 10}`;
}

export function decisionNote(
  d: Decline,
  current: EvidenceSnapshot,
  outcome: 'held' | 'evidence' | 'expired',
): DecisionNote {
  const atDecline = d.evidence?.measure === current.measure ? d.evidence.perDay : null;
  const ratio =
    atDecline !== null && atDecline > 0 ? Math.round((current.perDay / atDecline) * 100) / 100 : null;
  const base = `declined on ${d.at.slice(0, 10)} by ${who(d)}${d.reason ? ` (${d.reason})` : ''}`;
  const note =
    outcome === 'evidence'
      ? `${base}, evidence since ${ratio === null ? 'grown from none' : formatRatio(Math.max(ratio, REPROPOSE_FACTOR))}: proposed again`
      : outcome === 'expired'
        ? `${base} until ${d.until.slice(0, 10)}; the decision ran out: proposed again`
        : `${base}, held until ${d.until.slice(0, 10)}${ratio === null ? '' : `; evidence since ${formatRatio(ratio)} (proposed again at x${REPROPOSE_FACTOR})`}`;
  return {
    decisionId: d.id,
    suggestionId: d.suggestionId,
    declinedAt: d.at,
    by: who(d),
    reason: d.reason,
    until: d.until,
    evidence: {
      measure: current.measure,
      atDecline: atDecline === null ? null : round2(atDecline),
      now: round2(current.perDay),
      ratio,
    },
    note,
  };
}

export interface DecisionsOutcome extends DecisionsReport {
  /** The suggestions to propose: every one but those held (re-proposed ones carry the note in their reasons). */
  proposed: Suggestion[];
}

/**
 * Applies the decisions to a run's suggestions. A held suggestion leaves the proposals (and is
 * listed with its decision); one whose evidence per day reached the factor, or whose decision ran
 * out lately, stays with the decision's note first among its reasons.
 */
export function applyDecisions(
  suggestions: readonly Suggestion[],
  window: Window,
  decisions: readonly Decision[],
  now: Date,
): DecisionsOutcome {
  const state = currentDecisions(decisions, now);
  const proposed: Suggestion[] = [];
  const held: DecisionsReport['held'] = [];
  const reproposed: DecisionsReport['reproposed'] = [];
  for (const s of suggestions) {
    const decided = state.get(s.id);
    if (!decided) {
      proposed.push(s);
      continue;
    }
    const current = evidenceOf(s, window);
    const { decline } = decided;
    if (decided.status === 'expired') {
      const recent = now.getTime() - Date.parse(decline.until) <= EXPIRED_NOTE_DAYS * DAY_MS;
      if (!recent) {
        proposed.push(s);
        continue;
      }
      const note = decisionNote(decline, current, 'expired');
      reproposed.push({ suggestionId: s.id, why: 'expired', decision: note });
      proposed.push(withNote(s, note.note));
      continue;
    }
    const baseline = decline.evidence?.measure === current.measure ? decline.evidence.perDay : null;
    const grown =
      baseline !== null &&
      (baseline > 0 ? current.perDay >= baseline * REPROPOSE_FACTOR * (1 - 1e-9) : current.perDay > 0);
    if (grown) {
      const note = decisionNote(decline, current, 'evidence');
      reproposed.push({ suggestionId: s.id, why: 'evidence', decision: note });
      proposed.push(withNote(s, note.note));
    } else {
      held.push({ suggestion: s, decision: decisionNote(decline, current, 'held') });
    }
  }
  return { factor: REPROPOSE_FACTOR, proposed, held, reproposed };
}

function withNote(s: Suggestion, note: string): Suggestion {
  return { ...s, reasons: [note, ...s.reasons.filter((r) => r !== note)] };
}

/** The held-back suggestions of a set, by id, for `plan` / `apply` to refuse (or take with --include-declined). */
export function heldIds(outcome: Pick<DecisionsReport, 'held'>): Set<string> {
  return new Set(outcome.held.map((h) => h.suggestion.id));
}

/**
 * A report with the decisions applied: held suggestions move from `suggestions` to
 * `decisions.held`, re-proposed ones carry their note. `suggestionsByAccount` keeps the per-account
 * lines' counts in step (it is given the account test so the domain here stays ARN-agnostic).
 */
export function decideReport(
  report: Report,
  decisions: readonly Decision[],
  now: Date,
  suggestionsOf?: (account: string, proposed: readonly Suggestion[]) => number,
): Report {
  const { proposed, held, reproposed, factor } = applyDecisions(
    report.suggestions,
    report.window,
    decisions,
    now,
  );
  return {
    ...report,
    suggestions: proposed,
    decisions: { factor, held, reproposed },
    ...(report.accounts && suggestionsOf
      ? { accounts: report.accounts.map((a) => ({ ...a, suggestions: suggestionsOf(a.account, proposed) })) }
      : {}),
  };
}

/** The saved set: what is proposed, and what is held (so plan can say who declined it). */
export function withDeclined(set: SuggestionSet, report: Pick<Report, 'decisions'>): SuggestionSet {
  const declined = report.decisions?.held.map((h) => h.suggestion) ?? [];
  return declined.length ? { ...set, declined } : set;
}
