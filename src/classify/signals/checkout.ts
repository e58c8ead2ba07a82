import { all, any } from '../condition.js';
import { pattern } from '../pattern.js';
import { requestSignal } from '../request-signal.js';
import { BODY_RULE } from '../wordpress-paths.js';

export const checkout = requestSignal({
  id: 'checkout',
  weight: -2,
  reason: 'a body rule fired on a WooCommerce checkout or cart request',
  when: all(
    { field: 'method', equals: 'POST' },
    BODY_RULE,
    any(
      { field: 'query', view: 'lower', matches: pattern('(^|&)wc-ajax=[a-z_]+') },
      { field: 'path', matches: pattern('^/(checkout|cart|my-account)(/|$)') },
    ),
  ),
});
