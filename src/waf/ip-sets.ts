import type { WafPort } from './port.js';
import type { IpSetRef, WafLocation } from './types.js';

export async function findIpSet(
  port: WafPort,
  location: WafLocation,
  name: string,
): Promise<IpSetRef | undefined> {
  return (await port.listIpSets(location)).find((s) => s.name === name);
}
