/**
 * WAF is eventually consistent: an IP set just made by CreateIPSet can be refused as
 * `WAFUnavailableEntityException` by the UpdateWebACL (or CheckCapacity) that first references it
 * ("you might just need to wait a few minutes"). The SDK does not retry it (it is not a throttling
 * or transient error to the SDK), so the calls that reference other entities retry it here, with
 * growing waits. The request was refused whole, so the same LockToken is still good.
 */

export interface EntityRetry {
  /** The waits before each retry; their count is the number of retries. */
  delaysMs: readonly number[];
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_ENTITY_RETRY: EntityRetry = {
  delaysMs: [1_000, 2_000, 4_000, 8_000, 15_000, 30_000],
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export const UNAVAILABLE_ENTITY = 'WAFUnavailableEntityException';

export async function retryUnavailableEntity<T>(
  fn: () => Promise<T>,
  retry: EntityRetry = DEFAULT_ENTITY_RETRY,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const delay = retry.delaysMs[attempt];
      if ((error as { name?: string }).name !== UNAVAILABLE_ENTITY || delay === undefined) throw error;
      await retry.sleep(delay);
    }
  }
}
