/**
 * The labels waftune's evidence rules add (`waftune connect` puts them at the top of each web ACL,
 * src/waf/evidence-labels.ts) and the event normalization reads back (src/ingest/): one list, so
 * the rule that writes a label and the code that reads it cannot drift apart.
 *
 * Why they exist: the logging filter `connect` installs drops ALLOW records and redacts the Cookie
 * header, so on Athena the facts some signals read (a WordPress login, the admin work it does, a
 * shopper's or commenter's history before the request that was blocked) would be gone. WAF itself
 * inspects the real request: a Count rule labels what matters, the filter keeps the ALLOW records
 * with that label, and the normalization reads the label where the header reads `REDACTED`.
 *
 * A rule names its label without a namespace (`waftune:wp-logged-in`); WAF qualifies it with the
 * web ACL's namespace (`awswaf:<account>:webacl:<web-acl-name>:waftune:wp-logged-in`), which is the
 * form log records carry and logging filters must name.
 */

export const WAFTUNE_LABEL_NAMESPACE = 'waftune';

/**
 * The evidence rules' names start with this. They only count, so a log record lists them among its
 * non-terminating matches: the normalization must not take them for the rule that acted.
 */
export const EVIDENCE_RULE_PREFIX = 'waftune-evidence-';

/** The Cookie header contains `wordpress_logged_in_` (ByteMatch CONTAINS, as an override's header condition). */
export const LABEL_WP_LOGGED_IN = `${WAFTUNE_LABEL_NAMESPACE}:wp-logged-in`;

/** What the login-cookie rule looks for; the cookie condition of an override uses the same text. */
export const WP_LOGGED_IN_COOKIE = 'wordpress_logged_in_';

/** WooCommerce's session cookie: every cart, checkout and order-review request of a shopper carries it. */
export const WOO_SESSION_COOKIE = 'wp_woocommerce_session_';
export const LABEL_WOO_SESSION = `${WAFTUNE_LABEL_NAMESPACE}:woo-session`;

/** The cookie WordPress sets on a commenter's browser after a comment (`comment_author_<hash>`). */
export const COMMENTER_COOKIE = 'comment_author_';
export const LABEL_COMMENTER = `${WAFTUNE_LABEL_NAMESPACE}:wp-commenter`;

/**
 * The session cookies waftune tracks, each with the label its evidence rule writes (`cookie
 * CONTAINS <cookie>`, the very condition an override's header scope becomes). They carry a client's
 * history through the logging filter: an editor's work, a shopper's cart, a returning commenter's
 * visits are ALLOW records the filter keeps for their label, so on Athena those clients do not look
 * like sources with no other history (one-shot campaigns).
 */
export const SESSION_COOKIES = [
  { cookie: WP_LOGGED_IN_COOKIE, label: LABEL_WP_LOGGED_IN },
  { cookie: WOO_SESSION_COOKIE, label: LABEL_WOO_SESSION },
  { cookie: COMMENTER_COOKIE, label: LABEL_COMMENTER },
] as const;

export type SessionCookie = (typeof SESSION_COOKIES)[number]['cookie'];

/**
 * The Authorization schemes an override's integration condition names (`authorization STARTS_WITH
 * "Basic "`: WordPress application passwords; `"Bearer "`: tokens), each with the label its rule
 * writes. The logging configuration redacts the header; the label says which scheme WAF saw, so
 * the condition is decided alike from full and filtered logs, and an integration's allowed
 * authenticated reads (what shows it is one) are kept.
 */
export const AUTH_SCHEMES = [
  { scheme: 'basic', prefix: 'Basic ', label: `${WAFTUNE_LABEL_NAMESPACE}:auth-basic` },
  { scheme: 'bearer', prefix: 'Bearer ', label: `${WAFTUNE_LABEL_NAMESPACE}:auth-bearer` },
] as const;

export type AuthScheme = (typeof AUTH_SCHEMES)[number]['scheme'];

/** The labels an ALLOW record must carry for the logging filter to keep it. */
export const KEPT_ALLOW_LABELS: readonly string[] = [
  ...SESSION_COOKIES.map((c) => c.label),
  ...AUTH_SCHEMES.map((a) => a.label),
];

/** `awswaf:<account>:webacl:<web-acl-name>:<label>`: the label as WAF writes it in logs and filters match it. */
export function qualifiedLabel(account: string, webAclName: string, label: string): string {
  return `awswaf:${account}:webacl:${webAclName}:${label}`;
}

/**
 * What the evidence labels on one log record say. Only presence means something: a record without
 * a label may come from a web ACL (or a time) without the rule, or from a request an earlier rule
 * (a Firewall Manager group) stopped before it ran.
 */
export interface EvidenceLabels {
  /** WAF saw `wordpress_logged_in_` in the real Cookie header. */
  wpLoggedIn: boolean;
  /** The tracked session cookies WAF saw in the real Cookie header (SESSION_COOKIES order). */
  cookies: SessionCookie[];
  /** The Authorization scheme WAF saw (AUTH_SCHEMES), or null. */
  authScheme: AuthScheme | null;
}

const OWN_LABEL = /^awswaf:\d*:webacl:[\w-]+:(.+)$/;
const COOKIE_BIT_OF_LABEL: ReadonlyMap<string, number> = new Map(
  SESSION_COOKIES.map((c, i) => [c.label, 1 << i]),
);
const SCHEME_OF_LABEL: ReadonlyMap<string, AuthScheme> = new Map(
  AUTH_SCHEMES.map((a) => [a.label, a.scheme]),
);

/**
 * Reads the evidence labels from a record's labels. Only a web ACL's own label counts
 * (`awswaf:<account>:webacl:<name>:…`): a rule group's label with the same tail is someone else's.
 */
export function evidenceLabels(labels: readonly string[]): EvidenceLabels {
  // Bit i: SESSION_COOKIES[i] was labelled (a mask, not a Set: this runs on every record).
  let found = 0;
  let authScheme: AuthScheme | null = null;
  for (const name of labels) {
    if (!name.includes(`:${WAFTUNE_LABEL_NAMESPACE}:`)) continue;
    const own = OWN_LABEL.exec(name)?.[1] ?? '';
    const cookie = COOKIE_BIT_OF_LABEL.get(own);
    if (cookie !== undefined) found |= cookie;
    authScheme ??= SCHEME_OF_LABEL.get(own) ?? null;
  }
  const cookies: SessionCookie[] = [];
  for (let i = 0; i < SESSION_COOKIES.length; i++)
    if ((found & (1 << i)) !== 0)
      cookies.push((SESSION_COOKIES[i] as (typeof SESSION_COOKIES)[number]).cookie);
  return { wpLoggedIn: cookies.includes(WP_LOGGED_IN_COOKIE), cookies, authScheme };
}
