import type { FleetSignal, IpFacts } from '../signal.js';

/**
 * More allowed admin work than attack evidence (injections under a login cookie included): an
 * editor's or agency's address, however many sites it touches.
 */
export const doesAdminWork = (ip: IpFacts) =>
  ip.adminWork > 0 && ip.adminWork >= ip.attackRequests + ip.sessionInjections;

export const ipAdminWork: FleetSignal = {
  id: 'ip-admin-work',
  stage: 'fleet',
  weight: -3,
  reason: 'the same address also did allowed WordPress admin work',
  applies: (_e, f) => f.ip !== undefined && doesAdminWork(f.ip),
};
