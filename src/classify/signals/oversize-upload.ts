import { all } from '../condition.js';
import { requestSignal } from '../request-signal.js';
import { MAY_BE_LOGGED_IN, UPLOAD_ENDPOINT } from '../wordpress-paths.js';

export const oversizeUpload = requestSignal({
  id: 'oversize-upload',
  weight: -1,
  reason: 'a media upload larger than the 8 KB body limit',
  when: all(
    MAY_BE_LOGGED_IN,
    { field: 'rule_id', equals: 'SizeRestrictions_BODY' },
    { field: 'method', equals: 'POST' },
    UPLOAD_ENDPOINT,
  ),
});
