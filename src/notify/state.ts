import {
  type AlertState,
  alertStateSchema,
  emptyAlertState,
  type Outbox,
  outboxSchema,
} from '../../schemas/alert.js';
import { type DigestState, digestStateSchema } from '../../schemas/digest.js';
import type { StateStore } from './state-store.js';

/**
 * Typed reads and writes of the notify state. A state object that does not parse (hand-edited,
 * from a newer version) is not fatal: the run starts afresh, which at worst repeats an alert, and
 * says so in `warning`.
 */

export const STATE_KEYS = {
  alerts: 'alerts/state.json',
  digest: 'digest/state.json',
  outbox: 'outbox/pending.json',
} as const;

export interface Loaded<T> {
  value: T;
  warning: string | null;
}

async function load<T>(
  store: StateStore,
  key: string,
  parse: (v: unknown) => T,
  fresh: () => T,
): Promise<Loaded<T>> {
  const text = await store.get(key);
  if (text === null) return { value: fresh(), warning: null };
  try {
    return { value: parse(JSON.parse(text)), warning: null };
  } catch (error) {
    const why = error instanceof SyntaxError ? 'not JSON' : 'not in the expected shape';
    return { value: fresh(), warning: `${store.locate(key)} is ${why}; starting from an empty state` };
  }
}

const save = (store: StateStore, key: string, value: unknown) =>
  store.put(key, `${JSON.stringify(value, null, 2)}\n`);

export const loadAlertState = (store: StateStore, now: Date): Promise<Loaded<AlertState>> =>
  load(
    store,
    STATE_KEYS.alerts,
    (v) => alertStateSchema.parse(v),
    () => emptyAlertState(now),
  );
export const saveAlertState = (store: StateStore, state: AlertState) => save(store, STATE_KEYS.alerts, state);

export const loadDigestState = (store: StateStore): Promise<Loaded<DigestState>> =>
  load(
    store,
    STATE_KEYS.digest,
    (v) => digestStateSchema.parse(v),
    () => ({
      version: 1 as const,
      lastDigestAt: null,
      lastDelivered: false,
    }),
  );
export const saveDigestState = (store: StateStore, state: DigestState) =>
  save(store, STATE_KEYS.digest, state);

export const loadOutbox = (store: StateStore): Promise<Loaded<Outbox>> =>
  load(
    store,
    STATE_KEYS.outbox,
    (v) => outboxSchema.parse(v),
    () => ({ version: 1 as const, items: [] }),
  );
export const saveOutbox = (store: StateStore, outbox: Outbox) => save(store, STATE_KEYS.outbox, outbox);
