import { requestSignal } from '../request-signal.js';

export const reputationList = requestSignal({
  id: 'reputation-list',
  weight: 3,
  reason: "the address is on Amazon's IP reputation list",
  when: { list: 'labels', anyStartsWith: 'awswaf:managed:aws:amazon-ip-list:' },
});
