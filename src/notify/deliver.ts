import type { SlackMessage } from './block-kit.js';

/**
 * Posting messages to Slack with plain `fetch`: a timeout per attempt, retries with exponential
 * backoff and full jitter on 429, 5xx, timeouts and network errors, Retry-After honoured (seconds),
 * a bounded number of attempts and a total time budget. Never throws: the result says what
 * happened, so a failing webhook cannot crash a scheduled run. Errors never include the URL (a
 * webhook URL is a secret).
 *
 * Two deliveries:
 * - `webhookDelivery`: an incoming webhook. It cannot thread: Slack answers `ok`, not a message ts.
 * - `botDelivery`: `chat.postMessage` with a bot token and a channel. It answers the message `ts`,
 *   and a reply passes `thread_ts`, so alert follow-ups go under the first message.
 */

export interface RetryOptions {
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time for all attempts and waits; a Retry-After past it ends the retries. */
  budgetMs: number;
  /** Jitter source (0..1); tests pass a fixed one. */
  random?: () => number;
  fetch?: typeof fetch;
}

export const DEFAULT_RETRY: RetryOptions = {
  timeoutMs: 10_000,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  budgetMs: 60_000,
};

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  /** Last HTTP status, null when no response came. */
  status: number | null;
  /** Why it failed (bounded, no URL), null on success. */
  error: string | null;
  elapsedMs: number;
  /** Where the message landed, when the delivery can tell (bot delivery). */
  thread: { channel: string; ts: string } | null;
}

export interface Delivery {
  readonly kind: 'webhook' | 'bot';
  readonly canThread: boolean;
  send(message: SlackMessage, threadTs?: string): Promise<DeliveryResult>;
}

interface Attempt {
  status: number | null;
  body: string;
  retryAfterMs: number | null;
  error: string | null;
}

/** undici puts the system error (ECONNREFUSED, ENOTFOUND, ...) in `cause`; messages never carry the URL. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message.slice(0, 100);
  return (error as { name?: string }).name ?? 'unknown';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds (Slack's form) or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function attempt(
  url: string,
  init: RequestInit,
  options: RetryOptions,
  timeoutMs: number,
): Promise<Attempt> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(url, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const body = await response.text();
    return {
      status: response.status,
      body: body.slice(0, 2000),
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      error: null,
    };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const message =
      name === 'TimeoutError' || name === 'AbortError'
        ? `no response within ${timeoutMs} ms`
        : `network error: ${networkReason(error)}`;
    return { status: null, body: '', retryAfterMs: null, error: message };
  }
}

/**
 * POSTs until `accept` takes the response, it calls an answer final, or attempts or budget run out.
 * No response at all (timeout, connection refused) is always worth another attempt.
 */
export async function postWithRetry(
  url: string,
  init: RequestInit,
  accept: (status: number, body: string) => { ok: true } | { ok: false; retry: boolean; error: string },
  options: RetryOptions = DEFAULT_RETRY,
): Promise<{
  ok: boolean;
  attempts: number;
  status: number | null;
  body: string;
  error: string | null;
  elapsedMs: number;
}> {
  const started = Date.now();
  const random = options.random ?? Math.random;
  let last: Attempt = { status: null, body: '', retryAfterMs: null, error: 'not attempted' };
  let attempts = 0;
  while (attempts < options.maxAttempts) {
    const left = options.budgetMs - (Date.now() - started);
    if (left <= 0) break;
    attempts++;
    last = await attempt(url, init, options, Math.min(options.timeoutMs, left));
    if (last.status !== null) {
      const verdict = accept(last.status, last.body);
      if (verdict.ok)
        return {
          ok: true,
          attempts,
          status: last.status,
          body: last.body,
          error: null,
          elapsedMs: Date.now() - started,
        };
      last.error = verdict.error;
      if (!verdict.retry) break;
    }
    if (attempts >= options.maxAttempts) break;
    const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempts - 1));
    const wait = last.retryAfterMs ?? Math.round(random() * backoff);
    const remaining = options.budgetMs - (Date.now() - started);
    if (wait >= remaining) {
      last.error = `${last.error ?? 'failed'}; next retry in ${Math.ceil(wait / 1000)} s is past the ${Math.round(options.budgetMs / 1000)} s budget`;
      break;
    }
    await sleep(wait);
  }
  return {
    ok: false,
    attempts,
    status: last.status,
    body: last.body,
    error: last.error,
    elapsedMs: Date.now() - started,
  };
}

function httpError(status: number, body: string): string {
  const detail = body
    .replace(/[^\x20-\x7e]/g, ' ')
    .trim()
    .slice(0, 200);
  return `HTTP ${status}${detail ? `: ${detail}` : ''}`;
}

export function webhookDelivery(url: string, options: RetryOptions = DEFAULT_RETRY): Delivery {
  return {
    kind: 'webhook',
    canThread: false,
    async send(message) {
      const r = await postWithRetry(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) },
        (status, body) =>
          status >= 200 && status < 300
            ? { ok: true }
            : { ok: false, retry: status === 429 || status >= 500, error: httpError(status, body) },
        options,
      );
      return {
        ok: r.ok,
        attempts: r.attempts,
        status: r.status,
        error: r.error,
        elapsedMs: r.elapsedMs,
        thread: null,
      };
    },
  };
}

export interface BotConfig {
  token: string;
  channel: string;
  /** Slack's Web API base; a test points it at a local server. */
  apiUrl?: string;
}

export function botDelivery(config: BotConfig, options: RetryOptions = DEFAULT_RETRY): Delivery {
  const url = `${(config.apiUrl ?? 'https://slack.com/api').replace(/\/$/, '')}/chat.postMessage`;
  return {
    kind: 'bot',
    canThread: true,
    async send(message, threadTs) {
      let answer: { ok?: boolean; ts?: string; channel?: string; error?: string } = {};
      const r = await postWithRetry(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            authorization: `Bearer ${config.token}`,
          },
          body: JSON.stringify({
            ...message,
            channel: config.channel,
            ...(threadTs ? { thread_ts: threadTs } : {}),
          }),
        },
        (status, body) => {
          if (status < 200 || status >= 300) {
            return { ok: false, retry: status === 429 || status >= 500, error: httpError(status, body) };
          }
          try {
            answer = JSON.parse(body) as typeof answer;
          } catch {
            return { ok: false, retry: false, error: 'chat.postMessage: answer is not JSON' };
          }
          if (answer.ok === true) return { ok: true };
          const error = String(answer.error ?? 'unknown error').slice(0, 100);
          // `ratelimited` can also come in a 200; the other errors (channel_not_found, invalid_blocks, ...) will not heal.
          return { ok: false, retry: error === 'ratelimited', error: `chat.postMessage: ${error}` };
        },
        options,
      );
      const thread = r.ok && answer.ts ? { channel: answer.channel ?? config.channel, ts: answer.ts } : null;
      return {
        ok: r.ok,
        attempts: r.attempts,
        status: r.status,
        error: r.error,
        elapsedMs: r.elapsedMs,
        thread,
      };
    },
  };
}
