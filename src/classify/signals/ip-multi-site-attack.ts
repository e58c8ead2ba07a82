import type { FleetSignal } from '../signal.js';
import { doesAdminWork } from './ip-admin-work.js';
import { isIntegration } from './ip-integration.js';

export const MULTI_SITE_ATTACK_MIN_SITES = 3;

export const ipMultiSiteAttack: FleetSignal = {
  id: 'ip-multi-site-attack',
  stage: 'fleet',
  weight: 3,
  reason: 'the same address attacked several sites of the fleet',
  applies: (_e, f) =>
    f.ip !== undefined &&
    f.ip.attackSites >= MULTI_SITE_ATTACK_MIN_SITES &&
    !doesAdminWork(f.ip) &&
    !isIntegration(f.ip),
};
