import type { FleetSignal } from '../signal.js';

export const rulePathCrowd: FleetSignal = {
  id: 'rule-path-crowd',
  stage: 'fleet',
  weight: -1,
  reason: 'many unrelated clients without attack evidence trip this rule on this path',
  applies: (_e, f) =>
    f.rulePath !== undefined && f.rulePath.distinctIps >= 5 && f.rulePath.attackIpShare < 0.2,
};
