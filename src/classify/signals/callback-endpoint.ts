import type { RequestSignal } from '../signal.js';
import { CALLBACK_QUERY } from '../wordpress-paths.js';

/**
 * Payment providers, fulfilment services and Jetpack post to the URL the plugin gave them
 * (`/?wc-api=wc_stripe`, `/xmlrpc.php?for=jetpack`): an order's address or a product description
 * in the body trips body rules, and the WordPress rule set blocks XML-RPC itself.
 */
export const callbackEndpoint: RequestSignal = {
  id: 'callback-endpoint',
  stage: 'request',
  weight: -2,
  reason: 'a rule fired on a payment, webhook or Jetpack callback (wc-api=..., for=jetpack)',
  applies: (e) => e.rule_id !== null && CALLBACK_QUERY.test(e.query),
};
