import type { RequestSignal } from '../signal.js';
import { isUploadEndpoint, mayBeLoggedIn } from '../wordpress-paths.js';

export const oversizeUpload: RequestSignal = {
  id: 'oversize-upload',
  stage: 'request',
  weight: -1,
  reason: 'a media upload larger than the 8 KB body limit',
  applies: (e) =>
    mayBeLoggedIn(e) &&
    e.rule_id === 'SizeRestrictions_BODY' &&
    e.method === 'POST' &&
    isUploadEndpoint(e.path),
};
