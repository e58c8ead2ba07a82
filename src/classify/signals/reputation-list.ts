import type { RequestSignal } from '../signal.js';

const REPUTATION = 'awswaf:managed:aws:amazon-ip-list:';

export const reputationList: RequestSignal = {
  id: 'reputation-list',
  stage: 'request',
  weight: 3,
  reason: "the address is on Amazon's IP reputation list",
  applies: (e) => e.labels.some((l) => l.startsWith(REPUTATION)),
};
