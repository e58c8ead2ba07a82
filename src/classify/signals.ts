import type { FleetSignal, RequestSignal } from './signal.js';
import { adminWriteWithoutSession } from './signals/admin-write-without-session.js';
import { attackPayload } from './signals/attack-payload.js';
import { callbackEndpoint } from './signals/callback-endpoint.js';
import { checkout } from './signals/checkout.js';
import { commentForm } from './signals/comment-form.js';
import { editorEndpoint } from './signals/editor-endpoint.js';
import { forgedSession } from './signals/forged-session.js';
import { httpLibraryUserAgent } from './signals/http-library-user-agent.js';
import { injectionOutsideBody } from './signals/injection-outside-body.js';
import { ipAdminWork } from './signals/ip-admin-work.js';
import { ipAttackElsewhere } from './signals/ip-attack-elsewhere.js';
import { ipIntegration } from './signals/ip-integration.js';
import { ipMultiSiteAttack } from './signals/ip-multi-site-attack.js';
import { ipMultiSiteSignatures } from './signals/ip-multi-site-signatures.js';
import { noUserAgent } from './signals/no-user-agent.js';
import { oneShotSession } from './signals/one-shot-session.js';
import { oversizeUpload } from './signals/oversize-upload.js';
import { probePath } from './signals/probe-path.js';
import { rateLimited } from './signals/rate-limited.js';
import { reputationList } from './signals/reputation-list.js';
import { rulePathCrowd } from './signals/rule-path-crowd.js';
import { scannerUserAgent } from './signals/scanner-user-agent.js';
import { uptimeMonitor } from './signals/uptime-monitor.js';
import { wpSession } from './signals/wp-session.js';

export const REQUEST_SIGNALS: readonly RequestSignal[] = [
  wpSession,
  editorEndpoint,
  oversizeUpload,
  checkout,
  callbackEndpoint,
  commentForm,
  attackPayload,
  injectionOutsideBody,
  probePath,
  scannerUserAgent,
  httpLibraryUserAgent,
  noUserAgent,
  reputationList,
  rateLimited,
  adminWriteWithoutSession,
];

export const FLEET_SIGNALS: readonly FleetSignal[] = [
  ipAdminWork,
  ipIntegration,
  forgedSession,
  oneShotSession,
  ipMultiSiteAttack,
  ipMultiSiteSignatures,
  ipAttackElsewhere,
  uptimeMonitor,
  rulePathCrowd,
];

const byId = new Map<string, RequestSignal | FleetSignal>(
  [...REQUEST_SIGNALS, ...FLEET_SIGNALS].map((s) => [s.id, s]),
);

export function signalById(id: string): RequestSignal | FleetSignal | undefined {
  return byId.get(id);
}
