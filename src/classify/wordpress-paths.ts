/**
 * WordPress endpoints where logged-in users do real work that CRS body rules trip over (the
 * endpoints the CRS WordPress exclusion plugin lists).
 */
const EDITOR_EXACT = new Set([
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
]);

const EDITOR_REST =
  /^\/wp-json\/wp\/v2\/(posts|pages|media|blocks|templates|template-parts|navigation|widgets|comments|settings|global-styles|users\/me)(\/|$)/;
const EDITOR_REST_QUERY = /(^|&)rest_route=(\/|%2F)wp(\/|%2F)v2(\/|%2F)/i;

const UPLOAD = new Set(['/wp-admin/async-upload.php', '/wp-admin/media-new.php']);
const UPLOAD_REST = /^\/wp-json\/wp\/v2\/media(\/|$)/;

export function isEditorEndpoint(path: string, query = ''): boolean {
  return EDITOR_EXACT.has(path) || EDITOR_REST.test(path) || EDITOR_REST_QUERY.test(query);
}

export function isUploadEndpoint(path: string): boolean {
  return UPLOAD.has(path) || UPLOAD_REST.test(path);
}

export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether the request could come from a logged-in browser: it sent WordPress cookies, or the
 * logging configuration hid them. A write without either is no editor's.
 */
export function mayBeLoggedIn(e: { cookie_redacted: boolean; cookie_names: readonly string[] }): boolean {
  return e.cookie_redacted || e.cookie_names.some((n) => n.startsWith('wordpress_'));
}

/** A rule that inspects the request body (CRS `*_BODY`, SQLi `SQLi_BODY`, ...). */
export function isBodyRule(ruleId: string | null): boolean {
  return ruleId !== null && /_BODY(_RC_COUNT)?$/i.test(ruleId);
}

/**
 * A callback that names itself in the query: WooCommerce's payment and fulfilment gateways
 * (`wc-api=wc_stripe`, `wc-api=WC_Gateway_Paypal`) and Jetpack's calls (`xmlrpc.php?for=jetpack`).
 * queries/ip_profile.sql counts `callback_requests` with the same pattern (a test holds them equal).
 */
export const CALLBACK_QUERY = /(^|&)(wc-api=[^&]|for=jetpack(&|$))/;

/**
 * A write WordPress only takes from a logged-in browser (or an application password): an upload, a
 * post save, a REST write. Not admin-ajax.php, which serves visitors' actions too.
 */
export function requiresLogin(e: { method: string; path: string; query: string }): boolean {
  return (
    WRITE_METHODS.has(e.method) && e.path !== '/wp-admin/admin-ajax.php' && isEditorEndpoint(e.path, e.query)
  );
}
