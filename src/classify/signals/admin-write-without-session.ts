import { all, not } from '../condition.js';
import { requestSignal } from '../request-signal.js';
import { EDITOR_ENDPOINT, MAY_BE_LOGGED_IN, WRITE_METHOD } from '../wordpress-paths.js';

/**
 * WordPress only accepts editor writes from a logged-in browser, which always sends its
 * `wordpress_*` cookies; a write there without any is a bot trying its luck (a webshell upload).
 * Says nothing where the logging configuration redacts the Cookie header.
 */
export const adminWriteWithoutSession = requestSignal({
  id: 'admin-write-without-session',
  weight: 3,
  reason: 'wrote to a WordPress editing endpoint without any WordPress login cookie',
  when: all(
    WRITE_METHOD,
    not(MAY_BE_LOGGED_IN),
    not({ field: 'path', equals: '/wp-admin/admin-ajax.php' }),
    EDITOR_ENDPOINT,
  ),
});
