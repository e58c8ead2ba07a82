import { isOneShot } from '../one-shot.js';
import type { FleetSignal } from '../signal.js';
import { requiresLogin } from '../wordpress-paths.js';

/**
 * A login cookie from a source with no other history (a few requests, none allowed), on a write
 * only a logged-in browser can make. An editor's browser loads the editor and keeps its heartbeat
 * before it uploads or saves; a bot replaying a forged or stolen cookie sends the write alone.
 */
export const oneShotSession: FleetSignal = {
  id: 'one-shot-session',
  stage: 'fleet',
  weight: 3,
  reason: 'a login cookie from a source with no other history, on a write only a logged-in browser makes',
  applies: (e, f) => e.wp_session && f.ip !== undefined && isOneShot(f.ip) && requiresLogin(e),
  suppresses: ['wp-session', 'editor-endpoint', 'oversize-upload', 'rule-path-crowd'],
};
