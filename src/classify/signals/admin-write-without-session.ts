import type { RequestSignal } from '../signal.js';
import { isEditorEndpoint, mayBeLoggedIn, WRITE_METHODS } from '../wordpress-paths.js';

/**
 * WordPress only accepts editor writes from a logged-in browser, which always sends its
 * `wordpress_*` cookies; a write there without any is a bot trying its luck (a webshell upload).
 * Says nothing where the logging configuration redacts the Cookie header.
 */
export const adminWriteWithoutSession: RequestSignal = {
  id: 'admin-write-without-session',
  stage: 'request',
  weight: 3,
  reason: 'wrote to a WordPress editing endpoint without any WordPress login cookie',
  applies: (e) =>
    WRITE_METHODS.has(e.method) &&
    !mayBeLoggedIn(e) &&
    e.path !== '/wp-admin/admin-ajax.php' &&
    isEditorEndpoint(e.path, e.query),
};
