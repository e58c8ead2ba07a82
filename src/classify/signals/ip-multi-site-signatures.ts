import type { FleetSignal } from '../signal.js';
import { doesAdminWork } from './ip-admin-work.js';
import { isIntegration } from './ip-integration.js';
import { MULTI_SITE_ATTACK_MIN_SITES } from './ip-multi-site-attack.js';

/**
 * One exploit-path or injection block is weak evidence (a search with an apostrophe, a login
 * redirect URL); the same address leaving such signatures on several sites of the fleet is a
 * scanner spraying them.
 */
export const ipMultiSiteSignatures: FleetSignal = {
  id: 'ip-multi-site-signatures',
  stage: 'fleet',
  weight: 2,
  reason:
    'the same address left attack signatures (exploit paths, injections, scanner tools) on several sites',
  applies: (_e, f) =>
    f.ip !== undefined &&
    f.ip.signatureSites >= MULTI_SITE_ATTACK_MIN_SITES &&
    !doesAdminWork(f.ip) &&
    !isIntegration(f.ip),
};
