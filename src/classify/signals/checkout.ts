import type { RequestSignal } from '../signal.js';
import { isBodyRule } from '../wordpress-paths.js';

const WC_AJAX = /(^|&)wc-ajax=[a-z_]+/i;
const CHECKOUT_PATH = /^\/(checkout|cart|my-account)(\/|$)/;

export const checkout: RequestSignal = {
  id: 'checkout',
  stage: 'request',
  weight: -2,
  reason: 'a body rule fired on a WooCommerce checkout or cart request',
  applies: (e) =>
    e.method === 'POST' && isBodyRule(e.rule_id) && (WC_AJAX.test(e.query) || CHECKOUT_PATH.test(e.path)),
};
