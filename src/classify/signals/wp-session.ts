import { requestSignal } from '../request-signal.js';

export const wpSession = requestSignal({
  id: 'wp-session',
  weight: -3,
  reason: 'carried a WordPress logged-in session cookie',
  when: { flag: 'wp_session' },
});
