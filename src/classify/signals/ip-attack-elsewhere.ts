import type { FleetSignal } from '../signal.js';

export const ipAttackElsewhere: FleetSignal = {
  id: 'ip-attack-elsewhere',
  stage: 'fleet',
  weight: 2,
  reason: 'the same address sent attack payloads or probes in other requests',
  applies: (_e, f) => (f.ip?.attackRequests ?? 0) >= 2,
};
