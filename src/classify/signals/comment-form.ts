import type { RequestSignal } from '../signal.js';
import { isBodyRule } from '../wordpress-paths.js';

/** Visitors paste code and links into comments; WordPress filters them (kses) and holds them for moderation. */
export const commentForm: RequestSignal = {
  id: 'comment-form',
  stage: 'request',
  weight: -1,
  reason: 'a body rule fired on the WordPress comment form',
  applies: (e) => e.method === 'POST' && e.path === '/wp-comments-post.php' && isBodyRule(e.rule_id),
};
