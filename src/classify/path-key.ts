/**
 * A path with its ids folded (`/wp-json/wp/v2/posts/123` -> `/wp-json/wp/v2/posts/{id}`) so that
 * requests to the same endpoint group together. Numeric and UUID/hex-hash segments are ids.
 */
const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,})$/i;

export const ID_PLACEHOLDER = '{id}';

export function pathKey(path: string): string {
  if (!path.includes('/')) return path;
  const parts = path.split('/');
  let changed = false;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (part !== undefined && ID_SEGMENT.test(part)) {
      parts[i] = ID_PLACEHOLDER;
      changed = true;
    }
  }
  return changed ? parts.join('/') : path;
}

/** The literal prefix before the first id: what a STARTS_WITH match can use. */
export function pathPrefix(key: string): string {
  const at = key.indexOf(ID_PLACEHOLDER);
  return at === -1 ? key : key.slice(0, at);
}
