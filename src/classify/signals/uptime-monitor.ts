import type { FleetSignal, IpFacts } from '../signal.js';

/** Only home-page or health-path GETs and no attack evidence: a monitor or load-balancer health check. */
export const isMonitor = (ip: IpFacts) => ip.onlyRootGets && ip.attackRequests === 0;

export const uptimeMonitor: FleetSignal = {
  id: 'uptime-monitor',
  stage: 'fleet',
  weight: -3,
  reason:
    'the address only fetches the home page or a health path, across sites: an uptime monitor or health check',
  applies: (e, f) => e.method === 'GET' && f.ip !== undefined && isMonitor(f.ip),
};
