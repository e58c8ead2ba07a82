import type { RequestSignal } from '../signal.js';
import { isBodyRule, isEditorEndpoint, mayBeLoggedIn, WRITE_METHODS } from '../wordpress-paths.js';

export const editorEndpoint: RequestSignal = {
  id: 'editor-endpoint',
  stage: 'request',
  weight: -1,
  reason:
    'a body rule fired on a WordPress editing endpoint (upload, post save, admin-ajax) with WordPress cookies',
  applies: (e) =>
    mayBeLoggedIn(e) &&
    WRITE_METHODS.has(e.method) &&
    isBodyRule(e.rule_id) &&
    isEditorEndpoint(e.path, e.query),
};
