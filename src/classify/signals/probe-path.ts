import type { RequestSignal } from '../signal.js';

/** Paths no visitor or editor of a WordPress site asks for: secrets, backups, other stacks' admin tools. */
const PROBE = new RegExp(
  [
    String.raw`/\.(env|git|svn|hg|aws|ssh|docker|DS_Store|htpasswd|htaccess)\b`,
    String.raw`wp-config\.php[.~_-]?\w*$`,
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
    String.raw`/(server-status|server-info|actuator|console|manager/html|solr|jenkins|owa|ecp)\b`,
    String.raw`\.(asp|aspx|jsp|cgi|action)$`,
    String.raw`/wp-content/uploads/.*\.php`,
    // Webshell names, except WordPress's own Media Library page (/wp-admin/upload.php).
    String.raw`^(?!/wp-admin/[^/]+$).*/(shell|cmd|c99|r57|wso|alfa|up|upload|uploader)\.php$`,
  ].join('|'),
  'i',
);

export const isProbePath = (path: string) => PROBE.test(path);

export const probePath: RequestSignal = {
  id: 'probe-path',
  stage: 'request',
  weight: 3,
  reason: 'asked for a path that only scanners ask for (secrets, backups, admin tools, webshells)',
  applies: (e) => isProbePath(e.path),
};
