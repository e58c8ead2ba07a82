import type { IpFacts } from './signal.js';
import { isMonitor } from './signals/uptime-monitor.js';

/** At most this many requests, none allowed: a source with no other history. */
export const ONE_SHOT_MAX_REQUESTS = 5;

/**
 * A source with no other history in the window: a few requests and nothing allowed. One-shot
 * campaigns spray the very rules and paths editors trip, with nothing else to judge them by: they
 * make no crowd of legitimate clients, and a replay takes them as possibly hostile. (A monitor
 * whose every check is blocked has a history: the same check, over and over.)
 */
export function isOneShot(ip: IpFacts): boolean {
  return ip.allowedRequests === 0 && ip.requests <= ONE_SHOT_MAX_REQUESTS && !isMonitor(ip);
}
