import { all } from '../condition.js';
import { requestSignal } from '../request-signal.js';
import { BODY_RULE, EDITOR_ENDPOINT, MAY_BE_LOGGED_IN, WRITE_METHOD } from '../wordpress-paths.js';

export const editorEndpoint = requestSignal({
  id: 'editor-endpoint',
  weight: -1,
  reason:
    'a body rule fired on a WordPress editing endpoint (upload, post save, admin-ajax) with WordPress cookies',
  when: all(MAY_BE_LOGGED_IN, WRITE_METHOD, BODY_RULE, EDITOR_ENDPOINT),
});
