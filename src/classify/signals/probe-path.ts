import { all, any, not } from '../condition.js';
import { pattern } from '../pattern.js';
import { requestSignal } from '../request-signal.js';

/**
 * Paths no visitor or editor of a WordPress site asks for: secrets, backups, other stacks' admin
 * tools; on the ASCII lower-cased path. `(^|[^a-z0-9_])` and `([^a-z0-9_]|$)` stand for word
 * boundaries, `[^\n\r\u2028\u2029]` for JavaScript's `.`.
 */
const PROBE = pattern(
  [
    String.raw`/\.(env|git|svn|hg|aws|ssh|docker|ds_store|htpasswd|htaccess)([^a-z0-9_]|$)`,
    String.raw`wp-config\.php[.~_\-]?\w*$`,
    String.raw`wp-config\.(bak|old|save|orig|txt|swp)`,
    // Dumps and editor backups anywhere; archives only at the document root (`/backup.zip`):
    // WordPress serves plugin and media archives from deeper folders.
    String.raw`\.(sql|sql\.gz|bak|old|orig|swp)$`,
    String.raw`^/[^/]+\.(zip|tar|tar\.gz|tgz|rar|7z)$`,
    '/(phpmyadmin|pma|myadmin|adminer|phpinfo)',
    '/vendor/phpunit/',
    String.raw`eval-stdin\.php`,
    '/cgi-bin/',
    String.raw`/wp-admin/(install|setup-config)\.php`,
    String.raw`/(server-status|server-info|actuator|console|manager/html|solr|jenkins|owa|ecp)([^a-z0-9_]|$)`,
    String.raw`\.(asp|aspx|jsp|cgi|action)$`,
    String.raw`/wp-content/uploads/[^\n\r\u2028\u2029]*\.php`,
  ].join('|'),
);

/**
 * Webshell names, except WordPress's own Media Library page (/wp-admin/upload.php): a path with
 * no line break before the name (JavaScript's `.*` from the start), not one level under /wp-admin/.
 */
const WEBSHELL = pattern(
  String.raw`^[^\n\r\u2028\u2029]*/(shell|cmd|c99|r57|wso|alfa|up|upload|uploader)\.php$`,
);
const WP_ADMIN_PAGE = pattern(String.raw`^/wp-admin/[^/]+$`);

export const probePath = requestSignal({
  id: 'probe-path',
  weight: 3,
  reason: 'asked for a path that only scanners ask for (secrets, backups, admin tools, webshells)',
  when: any(
    { field: 'path', view: 'lower', matches: PROBE },
    all(
      { field: 'path', view: 'lower', matches: WEBSHELL },
      not({ field: 'path', view: 'lower', matches: WP_ADMIN_PAGE }),
    ),
  ),
});
