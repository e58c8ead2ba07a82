import snapshotJson from '../../vendor/aws-ip-ranges/cloudfront.json' with { type: 'json' };
import cloudflareJson from '../../vendor/cdn-ranges/cloudflare.json' with { type: 'json' };
import fastlyJson from '../../vendor/cdn-ranges/fastly.json' with { type: 'json' };
import { CidrSet } from './cidr-set.js';
import { type RangesSnapshot, snapshotSchema } from './ip-ranges.js';
import { type Provider, type ProviderSnapshot, providerSnapshotSchema } from './provider-ranges.js';

/**
 * The CDN edge ranges waftune ships: CloudFront's (vendor/aws-ip-ranges/cloudfront.json, from AWS's
 * ip-ranges.json), Cloudflare's and Fastly's (vendor/cdn-ranges/), refreshed by `waftune cdn-ranges
 * update`, bundled with the code so that the Firehose transform and the CLI decide alike.
 * Validated once when first used.
 */
export type PublishedCdn = 'cloudfront' | Provider;

let loaded: {
  snapshot: RangesSnapshot;
  providers: Record<Provider, ProviderSnapshot>;
  sets: ReadonlyArray<readonly [PublishedCdn, CidrSet]>;
} | null = null;

function load() {
  if (!loaded) {
    const snapshot = snapshotSchema.parse(snapshotJson);
    const providers = {
      cloudflare: providerSnapshotSchema.parse(cloudflareJson),
      fastly: providerSnapshotSchema.parse(fastlyJson),
    };
    const sets: Array<readonly [PublishedCdn, CidrSet]> = [
      [
        'cloudfront',
        new CidrSet([
          ...snapshot.prefixes.map((p) => p.ip_prefix),
          ...snapshot.ipv6_prefixes.map((p) => p.ipv6_prefix),
        ]),
      ],
      ...Object.values(providers).map((p) => [p.provider, new CidrSet([...p.ipv4, ...p.ipv6])] as const),
    ];
    loaded = { snapshot, providers, sets };
  }
  return loaded;
}

/** The CDN whose published ranges hold this address (`cloudfront`, `cloudflare`, `fastly`), or null. */
export function publishedCdnOf(address: string): PublishedCdn | null {
  // Clients repeat: an IPv6 lookup parses the address, so the answers of recent ones are kept.
  const known = recent.get(address);
  if (known !== undefined) return known;
  let found: PublishedCdn | null = null;
  for (const [cdn, set] of load().sets)
    if (set.has(address)) {
      found = cdn;
      break;
    }
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(address, found);
  return found;
}
const RECENT_MAX = 4096;
const recent = new Map<string, PublishedCdn | null>();

/** Every published set, in the order publishedCdnOf asks them (for SQL that decides alike). */
export function publishedSets(): ReadonlyArray<readonly [PublishedCdn, CidrSet]> {
  return load().sets;
}

/** Which published file the shipped CloudFront ranges come from. */
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

/** The shipped snapshot of another CDN's published list. */
export function shippedProviderSnapshot(provider: Provider): ProviderSnapshot {
  return load().providers[provider];
}
