import { requestSignal } from '../request-signal.js';

export const rateLimited = requestSignal({
  id: 'rate-limited',
  weight: 2,
  reason: 'exceeded a rate-based rule (flooding or brute force)',
  when: { field: 'terminating_rule_type', equals: 'RATE_BASED' },
});
