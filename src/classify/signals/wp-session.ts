import type { RequestSignal } from '../signal.js';

export const wpSession: RequestSignal = {
  id: 'wp-session',
  stage: 'request',
  weight: -3,
  reason: 'carried a WordPress logged-in session cookie',
  applies: (e) => e.wp_session,
};
