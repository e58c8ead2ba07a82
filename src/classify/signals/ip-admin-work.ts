import type { FleetSignal } from '../signal.js';

export const ipAdminWork: FleetSignal = {
  id: 'ip-admin-work',
  stage: 'fleet',
  weight: -3,
  reason: 'the same address also did allowed WordPress admin work',
  applies: (_e, f) => f.ip !== undefined && f.ip.adminWork > 0 && f.ip.adminWork >= f.ip.attackRequests,
};
