import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FileAuditStore } from '../../adapters/audit-store-fs.js';
import { Wafv2Port } from '../../adapters/wafv2.js';
import type { RetryPolicy } from '../../src/waf/retry.js';
import { type LocalWafv2, startLocalWafv2 } from './wafv2-local-endpoint.js';

/** The real WAFv2 adapter, pointed at the local endpoint (one attempt: the endpoint answers at once). */
export function localWafPort(ep: LocalWafv2, region = 'eu-west-1'): Wafv2Port {
  return new Wafv2Port({
    region,
    clientConfig: {
      endpoint: ep.url,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    },
  });
}

/** Lock retries without the waiting. */
export const FAST_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1,
  maxDelayMs: 5,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: () => 0.5,
};

/** Every request the real SDK sent was valid for the published WAFv2 model, and every answer too. */
export async function closeChecked(ep: LocalWafv2): Promise<void> {
  expect(ep.rejected).toEqual([]);
  expect(ep.badResponses).toEqual([]);
  await ep.close();
}

/** A local WAFv2, the adapter on it, and a change history in a temporary folder: one test's WAF world. */
export interface LocalWaf {
  ep: LocalWafv2;
  port: Wafv2Port;
  store: FileAuditStore;
  dir: string;
  /** Checks every request was model-valid, stops the endpoint, removes the folder. */
  close(): Promise<void>;
}

export async function startLocalWaf(name: string): Promise<LocalWaf> {
  const ep = await startLocalWafv2();
  const dir = mkdtempSync(join(tmpdir(), `waftune-${name}-`));
  return {
    ep,
    port: localWafPort(ep),
    store: new FileAuditStore(dir),
    dir,
    close: async () => {
      try {
        await closeChecked(ep);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
