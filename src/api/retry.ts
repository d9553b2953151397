import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  headerValue,
  InvalidResponseError,
  type ResponseHeaders,
} from './errors.ts';
import type { RetryPolicy } from './types.ts';

/**
 * When to try a request again and how long to wait: pure functions, so they are tested
 * without timers. The loop that uses them lives in client.ts.
 */

/** Backoff for production: 0.5 s doubling up to 8 s, full jitter. */
export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 8_000 };

/** Zero backoff, to keep tests fast; a server's retry-after hint is still honoured. */
export const noDelayRetryPolicy: RetryPolicy = { baseDelayMs: 0, maxDelayMs: 0 };

/** Retries after the first attempt when the caller sets none. */
export const DEFAULT_MAX_RETRIES = 4;

/** The longest server hint obeyed; a hint beyond it is cut to it. */
export const MAX_SERVER_DELAY_MS = 60_000;

/** Statuses worth another try: request timeout, rate limit, server errors. Never 409. */
export function shouldRetryStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * True when a failed attempt (an HTTP status or an error) may succeed if tried again:
 * network errors, timeouts, unreadable 2xx bodies, 408, 429, 5xx; never the caller's abort.
 */
export function shouldRetry(failure: number | unknown): boolean {
  if (typeof failure === 'number') return shouldRetryStatus(failure);
  if (failure instanceof APIUserAbortError) return false;
  if (failure instanceof APIConnectionError) return true;
  // A garbled success body is treated like a dropped connection: the next answer may be whole.
  if (failure instanceof InvalidResponseError) return true;
  if (failure instanceof APIError)
    return failure.status !== undefined && shouldRetryStatus(failure.status);
  return false;
}

/**
 * The server's wait hint in ms, if any: `retry-after-ms` (OpenAI), `x-ms-retry-after-ms`
 * (Azure), then `retry-after` in seconds or as an HTTP date. Capped at MAX_SERVER_DELAY_MS.
 */
export function serverRetryDelayMs(
  headers: ResponseHeaders,
  now: number = Date.now(),
): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const raw = headerValue(headers, name);
    if (raw === undefined) continue;
    const ms = Number(raw.trim());
    if (raw.trim() !== '' && Number.isFinite(ms) && ms >= 0)
      return Math.min(ms, MAX_SERVER_DELAY_MS);
  }
  const raw = headerValue(headers, 'retry-after')?.trim();
  if (raw) {
    if (/^\d+(\.\d+)?$/.test(raw)) return Math.min(Number(raw) * 1000, MAX_SERVER_DELAY_MS);
    const date = Date.parse(raw);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - now), MAX_SERVER_DELAY_MS);
  }
  return undefined;
}

/**
 * How long to wait before retry `attempt` (1-based): the server's hint when it sent one,
 * else exponential backoff with full jitter, `random() * min(max, base * 2^(attempt-1))`.
 */
export function retryDelayMs(
  attempt: number,
  headers: ResponseHeaders,
  policy: RetryPolicy,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  const hint = serverRetryDelayMs(headers, now);
  if (hint !== undefined) return hint;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
