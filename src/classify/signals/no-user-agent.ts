import type { RequestSignal } from '../signal.js';

export const noUserAgent: RequestSignal = {
  id: 'no-user-agent',
  stage: 'request',
  weight: 1,
  reason: 'sent no User-Agent header',
  applies: (e) => e.user_agent === null || e.user_agent.trim() === '',
};
