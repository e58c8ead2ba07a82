import type { FleetSignal } from '../signal.js';

export const uptimeMonitor: FleetSignal = {
  id: 'uptime-monitor',
  stage: 'fleet',
  weight: -3,
  reason:
    'the address only fetches the home page or a health path, across sites: an uptime monitor or health check',
  applies: (e, f) =>
    e.method === 'GET' && f.ip !== undefined && f.ip.onlyRootGets && f.ip.attackRequests === 0,
};
