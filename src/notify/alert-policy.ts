import { type Alert, type AlertRecord, type AlertState, alertStateSchema } from '../../schemas/alert.js';

/**
 * What to send for this run's alerts, given what was sent before (pure). The rules:
 * - a new condition, or one that comes back after the cooldown: a new message;
 * - the same condition within the cooldown, or still going: no new message. Where the delivery can
 *   thread (a bot token, `chat.postMessage`), a follow-up goes in the first message's thread, at most
 *   every `followUpMinutes` unless the count doubled; a webhook cannot thread, so it stays quiet until
 *   the cooldown has passed since its last message, then repeats once as a reminder;
 * - a condition that stopped: a "back to normal" reply in its thread, where there is one.
 * The state changes only through `recordOutcome`, after delivery, so a failed send is tried again by
 * the next run rather than counted as sent.
 */

export interface AlertPolicy {
  cooldownMinutes: number;
  followUpMinutes: number;
  /** Records of conditions gone this long are dropped. */
  forgetAfterHours: number;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  cooldownMinutes: 120,
  followUpMinutes: 30,
  forgetAfterHours: 24,
};

export type AlertAction =
  | { type: 'new'; alert: Alert; previous: AlertRecord | null }
  | { type: 'follow-up'; alert: Alert; record: AlertRecord; thread: { channel: string; ts: string } }
  | { type: 'resolved'; record: AlertRecord; thread: { channel: string; ts: string } }
  | { type: 'suppressed'; alert: Alert; record: AlertRecord };

export function planAlerts(
  alerts: readonly Alert[],
  state: AlertState,
  now: Date,
  canThread: boolean,
  policy: AlertPolicy = DEFAULT_ALERT_POLICY,
): AlertAction[] {
  const records = new Map(state.alerts.map((r) => [r.key, r]));
  const since = (iso: string) => (now.getTime() - Date.parse(iso)) / 60_000;
  const actions: AlertAction[] = [];
  const seen = new Set<string>();
  for (const alert of alerts) {
    seen.add(alert.key);
    const record = records.get(alert.key) ?? null;
    const ongoing = record !== null && (record.active || since(record.lastSentAt) < policy.cooldownMinutes);
    if (!record || !ongoing) {
      actions.push({ type: 'new', alert, previous: record });
      continue;
    }
    if (canThread && record.thread) {
      const due =
        since(record.lastSentAt) >= policy.followUpMinutes ||
        alert.count >= 2 * Math.max(1, record.lastCount);
      actions.push(
        due
          ? { type: 'follow-up', alert, record, thread: record.thread }
          : { type: 'suppressed', alert, record },
      );
      continue;
    }
    actions.push(
      since(record.lastSentAt) >= policy.cooldownMinutes
        ? { type: 'new', alert, previous: record }
        : { type: 'suppressed', alert, record },
    );
  }
  for (const record of state.alerts) {
    if (record.active && !seen.has(record.key) && canThread && record.thread) {
      actions.push({ type: 'resolved', record, thread: record.thread });
    }
  }
  return actions;
}

export interface Outcome {
  delivered: boolean;
  /** Where a new message landed, when the delivery says (bot delivery). */
  thread?: { channel: string; ts: string } | null;
}

/** The state after one action and its delivery outcome. */
export function recordOutcome(
  state: AlertState,
  action: AlertAction,
  outcome: Outcome,
  now: Date,
): AlertState {
  const at = now.toISOString();
  const others = (key: string) => state.alerts.filter((r) => r.key !== key);
  switch (action.type) {
    case 'new': {
      const { alert, previous } = action;
      if (!outcome.delivered) return state; // Not sent: the next run tries again.
      const record: AlertRecord = {
        key: alert.key,
        kind: alert.kind,
        scope: alert.scope,
        // A reminder keeps the episode's start and thread; a new episode starts afresh.
        firstSentAt: previous?.active ? previous.firstSentAt : at,
        lastSentAt: at,
        lastSeenAt: at,
        lastCount: alert.count,
        peakCount: Math.max(alert.count, previous?.active ? previous.peakCount : 0),
        messages: (previous?.active ? previous.messages : 0) + 1,
        suppressed: previous?.active ? previous.suppressed : 0,
        thread: outcome.thread ?? null,
        active: true,
      };
      return { ...state, updatedAt: at, alerts: [...others(alert.key), record] };
    }
    case 'follow-up':
    case 'suppressed': {
      const { alert, record } = action;
      const sent = action.type === 'follow-up' && outcome.delivered;
      const next: AlertRecord = {
        ...record,
        lastSeenAt: at,
        lastSentAt: sent ? at : record.lastSentAt,
        lastCount: sent ? alert.count : record.lastCount,
        peakCount: Math.max(record.peakCount, alert.count),
        messages: record.messages + (sent ? 1 : 0),
        suppressed: record.suppressed + (sent ? 0 : 1),
        active: true,
      };
      return { ...state, updatedAt: at, alerts: [...others(record.key), next] };
    }
    case 'resolved': {
      // Marked inactive even if the reply failed: a missed "back to normal" is not worth repeating.
      const next: AlertRecord = {
        ...action.record,
        active: false,
        messages: action.record.messages + (outcome.delivered ? 1 : 0),
      };
      return { ...state, updatedAt: at, alerts: [...others(action.record.key), next] };
    }
  }
}

/** End of a run: conditions not seen are inactive, long-gone ones are forgotten. */
export function settleState(
  state: AlertState,
  alerts: readonly Alert[],
  now: Date,
  policy: AlertPolicy = DEFAULT_ALERT_POLICY,
): AlertState {
  const seen = new Set(alerts.map((a) => a.key));
  const horizon = now.getTime() - policy.forgetAfterHours * 3600_000;
  const cooldown = now.getTime() - policy.cooldownMinutes * 60_000;
  const next = state.alerts
    .map((r) => (seen.has(r.key) ? r : { ...r, active: false }))
    .filter((r) => r.active || Date.parse(r.lastSeenAt) >= horizon || Date.parse(r.lastSentAt) >= cooldown);
  return alertStateSchema.parse({ ...state, updatedAt: now.toISOString(), alerts: next });
}
