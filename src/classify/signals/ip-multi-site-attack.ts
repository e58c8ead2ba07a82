import type { FleetSignal } from '../signal.js';

export const MULTI_SITE_ATTACK_MIN_SITES = 3;

export const ipMultiSiteAttack: FleetSignal = {
  id: 'ip-multi-site-attack',
  stage: 'fleet',
  weight: 3,
  reason: 'the same address attacked several sites of the fleet',
  applies: (_e, f) => (f.ip?.attackSites ?? 0) >= MULTI_SITE_ATTACK_MIN_SITES,
};
