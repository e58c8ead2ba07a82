import { CidrSet } from '../cdn/cidr-set.js';
import { MAX_PARAMETER_LENGTH } from '../engines/athena-params.js';
import type { QueryEngine, SqlValue } from '../engines/query-engine.js';
import { type TimeWindow, windowParams } from './window.js';

/**
 * The proxies the operator trusts to say who the client is (`config.trustedProxies`), as the
 * queries take them: the addresses of the window that forwarded clients and lie in a configured
 * range, bound as four `,a,b,`-separated lists (`trusted_1`..`trusted_4`; ip_profile.sql and
 * blocked_groups.sql test membership with strpos). Athena takes a parameter of at most 1,024
 * characters, so four of them hold a couple of hundred addresses, the busiest first; the rest stay
 * untrusted (`overflow`), which is the safe side: their clients are never blocked on their word.
 */
export interface TrustedFronts {
  params: Record<'trusted_1' | 'trusted_2' | 'trusted_3' | 'trusted_4', SqlValue>;
  /** Configured proxies seen forwarding clients in the window, bound as trusted. */
  trusted: string[];
  /** Configured proxies seen forwarding that did not fit the parameters: treated as untrusted. */
  overflow: string[];
}

const CHUNKS = 4;
/** A chunk is bound as a quoted string literal: its quotes count towards Athena's limit. */
const CHUNK_TEXT = MAX_PARAMETER_LENGTH - 2;

export const NO_TRUSTED_FRONTS: TrustedFronts = {
  params: { trusted_1: ',', trusted_2: ',', trusted_3: ',', trusted_4: ',' },
  trusted: [],
  overflow: [],
};

/** Packs addresses into the four lists (pure: the part a test checks without an engine). */
export function packTrustedFronts(addresses: readonly string[]): TrustedFronts {
  const chunks: string[] = [];
  const trusted: string[] = [];
  const overflow: string[] = [];
  let current = ',';
  for (const address of addresses) {
    const next = `${current}${address},`;
    if (next.length <= CHUNK_TEXT) {
      current = next;
      trusted.push(address);
    } else if (chunks.length < CHUNKS - 1) {
      chunks.push(current);
      current = `,${address},`;
      trusted.push(address);
    } else overflow.push(address);
  }
  chunks.push(current);
  while (chunks.length < CHUNKS) chunks.push(',');
  const [t1, t2, t3, t4] = chunks as [string, string, string, string];
  return { params: { trusted_1: t1, trusted_2: t2, trusted_3: t3, trusted_4: t4 }, trusted, overflow };
}

/** The configured proxies among the window's forwarding addresses (queries/forwarders.sql). */
export async function trustedFronts(
  engine: QueryEngine,
  window: TimeWindow,
  cidrs: readonly string[],
): Promise<TrustedFronts> {
  if (cidrs.length === 0) return NO_TRUSTED_FRONTS;
  const set = new CidrSet(cidrs);
  const rows = await engine.run<{ client_ip: string; requests: number }>('forwarders', windowParams(window));
  return packTrustedFronts(rows.rows.map((r) => r.client_ip).filter((ip) => set.has(ip)));
}
