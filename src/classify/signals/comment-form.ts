import { all } from '../condition.js';
import { requestSignal } from '../request-signal.js';
import { BODY_RULE } from '../wordpress-paths.js';

/** Visitors paste code and links into comments; WordPress filters them (kses) and holds them for moderation. */
export const commentForm = requestSignal({
  id: 'comment-form',
  weight: -1,
  reason: 'a body rule fired on the WordPress comment form',
  when: all(
    { field: 'method', equals: 'POST' },
    { field: 'path', equals: '/wp-comments-post.php' },
    BODY_RULE,
  ),
});
