import type { RequestSignal } from '../signal.js';

export const rateLimited: RequestSignal = {
  id: 'rate-limited',
  stage: 'request',
  weight: 2,
  reason: 'exceeded a rate-based rule (flooding or brute force)',
  applies: (e) => e.terminating_rule_type === 'RATE_BASED',
};
