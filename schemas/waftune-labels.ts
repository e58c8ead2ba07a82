/**
 * The labels waftune's evidence rules add (`waftune connect` puts them at the top of each web ACL,
 * src/waf/evidence-labels.ts) and the event normalization reads back (src/ingest/): one list, so
 * the rule that writes a label and the code that reads it cannot drift apart.
 *
 * Why they exist: the logging filter `connect` installs drops ALLOW records and redacts the Cookie
 * header, so on Athena the facts some signals read (a WordPress login, the admin work it does)
 * would be gone. WAF itself inspects the real request: a Count rule labels what matters, the filter
 * keeps the ALLOW records with that label, and the normalization reads the label where the header
 * reads `REDACTED`.
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

/** The labels an ALLOW record must carry for the logging filter to keep it. */
export const KEPT_ALLOW_LABELS = [LABEL_WP_LOGGED_IN] as const;

/** `awswaf:<account>:webacl:<web-acl-name>:<label>`: the label as WAF writes it in logs and filters match it. */
export function qualifiedLabel(account: string, webAclName: string, label: string): string {
  return `awswaf:${account}:webacl:${webAclName}:${label}`;
}

/**
 * What the evidence labels on one log record say. Only presence means something: a record without
 * the label may come from a web ACL (or a time) without the rule, or from a request an earlier rule
 * (a Firewall Manager group) stopped before it ran.
 */
export interface EvidenceLabels {
  /** WAF saw `wordpress_logged_in_` in the real Cookie header. */
  wpLoggedIn: boolean;
}

const OWN_LABEL = /^awswaf:\d*:webacl:[\w-]+:(.+)$/;

/**
 * Reads the evidence labels from a record's labels. Only a web ACL's own label counts
 * (`awswaf:<account>:webacl:<name>:…`): a rule group's label with the same tail is someone else's.
 */
export function evidenceLabels(labels: readonly string[]): EvidenceLabels {
  let wpLoggedIn = false;
  for (const name of labels) {
    if (!name.endsWith(LABEL_WP_LOGGED_IN)) continue;
    if (OWN_LABEL.exec(name)?.[1] === LABEL_WP_LOGGED_IN) wpLoggedIn = true;
  }
  return { wpLoggedIn };
}
