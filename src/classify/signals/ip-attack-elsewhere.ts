import type { FleetSignal } from '../signal.js';
import { doesAdminWork } from './ip-admin-work.js';
import { isIntegration } from './ip-integration.js';

export const ipAttackElsewhere: FleetSignal = {
  id: 'ip-attack-elsewhere',
  stage: 'fleet',
  weight: 2,
  reason: 'the same address sent attack payloads or probes in other requests',
  // An address doing more admin work than attack-looking requests is an editor's: its odd
  // requests are that editor's, not a second actor's.
  applies: (_e, f) =>
    f.ip !== undefined && f.ip.attackRequests >= 2 && !doesAdminWork(f.ip) && !isIntegration(f.ip),
};
