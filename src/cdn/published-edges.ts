import snapshotJson from '../../vendor/aws-ip-ranges/cloudfront.json' with { type: 'json' };
import { CidrSet } from './cidr-set.js';
import { type RangesSnapshot, snapshotSchema } from './ip-ranges.js';

/**
 * The CDN edge ranges waftune ships (vendor/aws-ip-ranges/cloudfront.json, refreshed by
 * `waftune cdn-ranges update`), bundled with the code so that the Firehose transform and the CLI
 * decide alike. Validated once when first used.
 */
let loaded: { snapshot: RangesSnapshot; set: CidrSet } | null = null;

function load() {
  if (!loaded) {
    const snapshot = snapshotSchema.parse(snapshotJson);
    const set = new CidrSet([
      ...snapshot.prefixes.map((p) => p.ip_prefix),
      ...snapshot.ipv6_prefixes.map((p) => p.ipv6_prefix),
    ]);
    loaded = { snapshot, set };
  }
  return loaded;
}

/** The CDN whose published ranges hold this address (`cloudfront`), or null. */
export function publishedCdnOf(address: string): 'cloudfront' | null {
  return load().set.has(address) ? 'cloudfront' : null;
}

/** Which published file the shipped ranges come from. */
export function shippedSnapshot(): Pick<RangesSnapshot, 'createDate' | 'syncToken' | 'source'> & {
  ipv4: number;
  ipv6: number;
} {
  const { snapshot } = load();
  return {
    createDate: snapshot.createDate,
    syncToken: snapshot.syncToken,
    source: snapshot.source,
    ipv4: snapshot.prefixes.length,
    ipv6: snapshot.ipv6_prefixes.length,
  };
}
