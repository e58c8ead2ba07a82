import type { Decision } from '../../schemas/decision.js';
import type { DecisionStore } from '../../src/suggest/decisions.js';
import type { AuditStore, ChangeRecord } from '../../src/waf/audit.js';
import { errorMessage } from '../../src/waf/port.js';

/**
 * The change history for the notify functions: which suggestions are applied (not pending any
 * more), what changed since the last digest, which overrides to watch. A history that cannot be
 * read does not stop the digest or the alerts, but every run says so: without it, applied
 * suggestions show as pending and no override is checked.
 */

export interface History {
  records: readonly ChangeRecord[];
  /** Where it was read from, for the logs; null when none is configured. */
  location: string | null;
  problem: string | null;
}

export async function readHistory(
  store: AuditStore | undefined,
  given?: readonly ChangeRecord[],
): Promise<History> {
  if (given) return { records: given, location: null, problem: null };
  if (!store) return { records: [], location: null, problem: null };
  try {
    return { records: await store.list(), location: store.location, problem: null };
  } catch (error) {
    return {
      records: [],
      location: store.location,
      problem: `cannot read the change history in ${store.location} (${errorMessage(error)}): applied suggestions are shown as pending and applied overrides are not checked`,
    };
  }
}

/** The team's decisions, from the same store (S3 in the cloud); unreadable ones hold nothing back, said. */
export async function readDecisionsFrom(
  store: (AuditStore & Partial<DecisionStore>) | undefined,
): Promise<{ decisions: Decision[]; problem: string | null }> {
  if (!store?.listDecisions) return { decisions: [], problem: null };
  try {
    return { decisions: await store.listDecisions(), problem: null };
  } catch (error) {
    return {
      decisions: [],
      problem: `cannot read the decisions in ${store.decisionsLocation ?? store.location} (${errorMessage(error)}): declined suggestions are shown as pending`,
    };
  }
}
