import { isWafError, WafApiError } from './port.js';

/**
 * Optimistic locking: read, change, write with the read's LockToken; when someone else wrote in
 * between (WAFOptimisticLockException), read again and redo the change on what they wrote.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Exponential backoff with jitter, so two waftune runs that collided do not collide again. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * policy.random());
}

/** Runs `attempt` (a full read-modify-write) until it is not refused by a stale LockToken. */
export async function withLockRetry<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (error) {
      if (!isWafError(error, 'lock')) throw error;
      if (n >= policy.maxAttempts) {
        throw new WafApiError(
          'lock',
          'WAFOptimisticLockException',
          `gave up after ${n} attempts: it kept changing under us (${(error as Error).message})`,
        );
      }
      await policy.sleep(backoffMs(n, policy));
    }
  }
}
