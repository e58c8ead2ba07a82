import { all, any, type Condition, compileTs, not } from './condition.js';
import { pattern } from './pattern.js';

/**
 * WordPress endpoints where logged-in users do real work that CRS body rules trip over (the
 * endpoints the CRS WordPress exclusion plugin lists), as conditions the signals share.
 */
const EDITOR_EXACT = [
  '/wp-admin/async-upload.php',
  '/wp-admin/post.php',
  '/wp-admin/post-new.php',
  '/wp-admin/admin-ajax.php',
  '/wp-admin/admin-post.php',
  '/wp-admin/media-new.php',
  '/wp-admin/customize.php',
  '/wp-admin/widgets.php',
  '/wp-admin/nav-menus.php',
  '/wp-admin/options.php',
  '/wp-admin/edit-comments.php',
  '/wp-admin/comment.php',
  '/wp-admin/theme-editor.php',
  '/wp-admin/site-editor.php',
];

const EDITOR_REST = pattern(
  String.raw`^/wp-json/wp/v2/(posts|pages|media|blocks|templates|template-parts|navigation|widgets|comments|settings|global-styles|users/me)(/|$)`,
);
const EDITOR_REST_QUERY = pattern(String.raw`(^|&)rest_route=(/|%2f)wp(/|%2f)v2(/|%2f)`);

export const EDITOR_ENDPOINT: Condition = any(
  { field: 'path', in: EDITOR_EXACT },
  { field: 'path', matches: EDITOR_REST },
  { field: 'query', view: 'lower', matches: EDITOR_REST_QUERY },
);

export const UPLOAD_ENDPOINT: Condition = any(
  { field: 'path', in: ['/wp-admin/async-upload.php', '/wp-admin/media-new.php'] },
  { field: 'path', matches: pattern(String.raw`^/wp-json/wp/v2/media(/|$)`) },
);

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
export const WRITE_METHOD: Condition = { field: 'method', in: WRITE_METHODS };

/**
 * Whether the request could come from a logged-in browser: it sent WordPress cookies, or the
 * logging configuration hid them. A write without either is no editor's.
 */
export const MAY_BE_LOGGED_IN: Condition = any(
  { flag: 'cookie_redacted' },
  { list: 'cookie_names', anyStartsWith: 'wordpress_' },
);

/** A rule that inspects the request body (CRS `*_BODY`, SQLi `SQLi_BODY`, ...). */
export const BODY_RULE: Condition = {
  field: 'rule_id',
  view: 'lower',
  matches: pattern(String.raw`_body(_rc_count)?$`),
};

export const NOT_LOGGED_IN: Condition = not(MAY_BE_LOGGED_IN);
export const BODY_RULE_ON_EDITOR: Condition = all(BODY_RULE, EDITOR_ENDPOINT);

const editorEndpoint = compileTs(EDITOR_ENDPOINT);
const NO_EVENT = {
  host: '',
  client_ip: '',
  method: '',
  rule_action: null,
  rule_group: null,
  rule_id: null,
  terminating_rule_type: null,
  labels: [],
  condition_type: null,
  match_location: null,
  matched_data: null,
  user_agent: null,
  cookie_names: [],
  wp_session: false,
  cookie_redacted: false,
  auth_scheme: null,
  known_headers: [],
};

const bodyRule = compileTs(BODY_RULE);

/** For fleet signals and the suggester: whether a rule inspects the request body. */
export function isBodyRule(ruleId: string | null): boolean {
  return bodyRule({ ...NO_EVENT, path: '', query: '', rule_id: ruleId });
}

/** For the suggester: whether a path (and query) is a WordPress editing endpoint. */
export function isEditorEndpoint(path: string, query = ''): boolean {
  return editorEndpoint({ ...NO_EVENT, path, query });
}

/**
 * A callback that names itself in the query: WooCommerce's payment and fulfilment gateways
 * (`wc-api=wc_stripe`, `wc-api=WC_Gateway_Paypal`) and Jetpack's calls (`xmlrpc.php?for=jetpack`).
 * queries/ip_profile.sql counts `callback_requests` with the same pattern (a test holds them equal).
 */
export const CALLBACK_QUERY = /(^|&)(wc-api=[^&]|for=jetpack(&|$))/;
/** The same, in the language signals compile to SQL from (condition.ts). */
export const CALLBACK_QUERY_PATTERN = pattern(CALLBACK_QUERY.source);

/**
 * A write WordPress only takes from a logged-in browser (or an application password): an upload, a
 * post save, a REST write. Not admin-ajax.php, which serves visitors' actions too.
 */
export function requiresLogin(e: { method: string; path: string; query: string }): boolean {
  return (
    WRITE_METHODS.includes(e.method) &&
    e.path !== '/wp-admin/admin-ajax.php' &&
    isEditorEndpoint(e.path, e.query)
  );
}
