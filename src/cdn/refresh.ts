import { cloudFrontSnapshot, ipRangesSchema, type RangesSnapshot } from './ip-ranges.js';

export interface Refresh {
  snapshot: RangesSnapshot;
  /** What the published file changed against the snapshot in use. */
  status: 'updated' | 'unchanged' | 'older';
  added: string[];
  removed: string[];
}

/**
 * Checks a downloaded `ip-ranges.json` and compares its CloudFront ranges with the snapshot in use.
 * A file older than the snapshot (a lower `syncToken`: a stale mirror or cache) is reported, not
 * taken, unless the caller insists.
 */
export function refreshSnapshot(text: string, current: RangesSnapshot | null): Refresh {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message.slice(0, 120)}`);
  }
  const parsed = ipRangesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `not an ip-ranges.json file: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const snapshot = cloudFrontSnapshot(parsed.data);
  const cidrs = (s: RangesSnapshot) =>
    new Set([
      ...s.prefixes.map((p) => `${p.ip_prefix} ${p.service}`),
      ...s.ipv6_prefixes.map((p) => `${p.ipv6_prefix} ${p.service}`),
    ]);
  const next = cidrs(snapshot);
  const before = current ? cidrs(current) : new Set<string>();
  const added = [...next].filter((c) => !before.has(c));
  const removed = [...before].filter((c) => !next.has(c));
  const status =
    current && BigInt(snapshot.syncToken) < BigInt(current.syncToken)
      ? 'older'
      : current && snapshot.syncToken === current.syncToken && added.length === 0 && removed.length === 0
        ? 'unchanged'
        : 'updated';
  return { snapshot, status, added, removed };
}
