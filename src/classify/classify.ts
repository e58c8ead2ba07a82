import type { Verdict, WafEvent } from '../../schemas/event.js';
import type { EventView, FleetFacts } from './signal.js';
import { FLEET_SIGNALS, REQUEST_SIGNALS, signalById } from './signals.js';

/** Score at or above which a request looks like an attack, and at or below which like a false positive. */
export const ATTACK_THRESHOLD = 3;
export const FALSE_POSITIVE_THRESHOLD = -2;

/** Rule actions that a human may have to judge; an allowed request with no rule match is not classified. */
const CLASSIFIED_ACTIONS: ReadonlySet<string> = new Set(['BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE']);

export function isClassifiable(event: Pick<WafEvent, 'rule_action'>): boolean {
  return event.rule_action !== null && CLASSIFIED_ACTIONS.has(event.rule_action);
}

export function verdictFor(score: number): Verdict {
  if (score >= ATTACK_THRESHOLD) return 'likely-attack';
  if (score <= FALSE_POSITIVE_THRESHOLD) return 'likely-false-positive';
  return 'uncertain';
}

export interface Classification {
  verdict: Verdict;
  score: number;
  signals: string[];
  reasons: string[];
}

/**
 * Per-request stage: sets score, signals and reasons on every event, and the verdict on the
 * classifiable ones. Allowed requests keep their signals too: a scanner's allowed probes are
 * attack evidence against its address even when no rule blocked them.
 */
export function classifyRequest(event: WafEvent): WafEvent {
  let score = 0;
  const signals: string[] = [];
  const reasons: string[] = [];
  for (const s of REQUEST_SIGNALS) {
    if (s.applies(event)) {
      score += s.weight;
      signals.push(s.id);
      reasons.push(s.reason);
    }
  }
  event.score = score;
  event.signals = signals;
  event.reasons = reasons;
  event.verdict = isClassifiable(event) ? verdictFor(score) : null;
  return event;
}

/**
 * Fleet stage: folds the signals that need the whole data set onto a request-stage result
 * (an event or a group of identical events from a query).
 */
export function foldFleetSignals(
  view: EventView & { score: number; signals: readonly string[] },
  facts: FleetFacts,
): Classification {
  let score = view.score;
  let signals = [...view.signals];
  const suppressed = new Set<string>();
  for (const s of FLEET_SIGNALS) {
    if (s.applies(view, facts)) {
      score += s.weight;
      signals.push(s.id);
      for (const id of s.suppresses ?? []) suppressed.add(id);
    }
  }
  if (suppressed.size > 0) {
    for (const id of signals) if (suppressed.has(id)) score -= signalById(id)?.weight ?? 0;
    signals = signals.filter((id) => !suppressed.has(id));
  }
  return {
    score,
    signals,
    reasons: signals.map((id) => signalById(id)?.reason ?? id),
    verdict: verdictFor(score),
  };
}
