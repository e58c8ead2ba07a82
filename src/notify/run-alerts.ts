import type { Alert, AlertState } from '../../schemas/alert.js';
import { alertMessage, followUpMessage, overflowMessage, resolvedMessage } from './alert-blocks.js';
import {
  type AlertAction,
  type AlertPolicy,
  DEFAULT_ALERT_POLICY,
  planAlerts,
  recordOutcome,
  settleState,
} from './alert-policy.js';
import type { Delivery } from './deliver.js';
import { loadAlertState, saveAlertState } from './state.js';
import type { StateStore } from './state-store.js';

/**
 * One alerts run (the `functions/alerts` schedule, one `waftune watch` tick): load the state, plan
 * what to send for the detected alerts, deliver, record what was delivered, save. Delivery failures
 * are counted and reported, never thrown: the next run sees the same condition and tries again.
 */

export interface AlertsRunOptions {
  alerts: readonly Alert[];
  store: StateStore;
  /** null: nothing is sent (no webhook configured), the state still records nothing as sent. */
  delivery: Delivery | null;
  now: Date;
  timeZone: string;
  policy?: AlertPolicy;
  /** New alerts sent one by one; the rest go in one overflow message. */
  maxNewPerRun?: number;
}

export interface AlertsRunResult {
  detected: number;
  sent: number;
  followUps: number;
  resolved: number;
  suppressed: number;
  failed: number;
  errors: string[];
  warnings: string[];
  /** What would have been sent when no delivery is configured (or what was sent), for printing. */
  actions: AlertAction[];
  state: AlertState;
}

export async function runAlerts(options: AlertsRunOptions): Promise<AlertsRunResult> {
  const { store, delivery, now, timeZone } = options;
  const policy = options.policy ?? DEFAULT_ALERT_POLICY;
  const maxNew = options.maxNewPerRun ?? 10;
  const loaded = await loadAlertState(store, now);
  let state = loaded.value;
  const result: AlertsRunResult = {
    detected: options.alerts.length,
    sent: 0,
    followUps: 0,
    resolved: 0,
    suppressed: 0,
    failed: 0,
    errors: [],
    warnings: loaded.warning ? [loaded.warning] : [],
    actions: [],
    state,
  };
  const actions = planAlerts(options.alerts, state, now, delivery?.canThread ?? false, policy);
  result.actions = actions;
  const news = actions.filter((a) => a.type === 'new');
  const overflow = news.slice(maxNew);

  for (const action of actions) {
    if (action.type === 'suppressed') {
      state = recordOutcome(state, action, { delivered: false }, now);
      result.suppressed++;
      continue;
    }
    if (action.type === 'new' && overflow.includes(action)) continue;
    if (!delivery) {
      if (action.type !== 'resolved') continue;
      state = recordOutcome(state, action, { delivered: false }, now);
      continue;
    }
    const message =
      action.type === 'new'
        ? alertMessage(action.alert, timeZone, action.previous?.active ? action.previous : null)
        : action.type === 'follow-up'
          ? followUpMessage(action.alert, action.record, timeZone)
          : resolvedMessage(action.record, now, timeZone);
    const threadTs = action.type === 'new' ? undefined : action.thread.ts;
    const delivered = await delivery.send(message, threadTs);
    // A reminder without a new thread keeps replying under the first message.
    const thread = action.type === 'new' ? (delivered.thread ?? action.previous?.thread ?? null) : null;
    state = recordOutcome(state, action, { delivered: delivered.ok, thread }, now);
    if (!delivered.ok) {
      result.failed++;
      result.errors.push(
        `${action.type} ${describe(action)}: ${delivered.error ?? 'failed'} after ${delivered.attempts} attempts`,
      );
    } else if (action.type === 'new') result.sent++;
    else if (action.type === 'follow-up') result.followUps++;
    else result.resolved++;
  }

  if (overflow.length > 0 && delivery) {
    const delivered = await delivery.send(
      overflowMessage(
        overflow.map((a) => (a.type === 'new' ? a.alert : null)).filter((a) => a !== null),
        timeZone,
      ),
    );
    for (const action of overflow)
      state = recordOutcome(state, action, { delivered: delivered.ok, thread: null }, now);
    if (delivered.ok) result.sent += overflow.length;
    else {
      result.failed += overflow.length;
      result.errors.push(`overflow of ${overflow.length} alerts: ${delivered.error ?? 'failed'}`);
    }
  }

  state = settleState(state, options.alerts, now, policy);
  await saveAlertState(store, state);
  result.state = state;
  return result;
}

function describe(action: AlertAction): string {
  const scope = action.type === 'resolved' ? action.record.scope : action.alert.scope;
  return [scope.host ?? 'fleet', scope.ruleId ?? 'any rule', scope.path ?? ''].filter(Boolean).join(' ');
}
