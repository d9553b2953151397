import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  InvalidJobIdError,
  InvalidResponseError,
} from '../../src/api/errors.ts';
import {
  DEFAULT_MAX_RETRIES,
  defaultRetryPolicy,
  MAX_SERVER_DELAY_MS,
  noDelayRetryPolicy,
  retryDelayMs,
  serverRetryDelayMs,
  shouldRetry,
} from '../../src/api/retry.ts';

describe('shouldRetry', () => {
  it('retries 408, 429 and every 5xx', () => {
    for (const s of [408, 429, 500, 502, 503, 504, 599]) expect(shouldRetry(s)).toBe(true);
  });

  it('never retries 400, 401, 403, 404, 409 or 422', () => {
    for (const s of [400, 401, 403, 404, 409, 422]) expect(shouldRetry(s)).toBe(false);
  });

  it('retries network errors, timeouts and unreadable bodies but not user aborts', () => {
    expect(shouldRetry(new APIConnectionError('down'))).toBe(true);
    expect(shouldRetry(new APITimeoutError('slow'))).toBe(true);
    expect(shouldRetry(new InvalidResponseError('garbled'))).toBe(true);
    expect(shouldRetry(new APIUserAbortError())).toBe(false);
    expect(shouldRetry(new InvalidJobIdError('nope'))).toBe(false);
    expect(shouldRetry(new Error('a bug'))).toBe(false);
  });

  it('follows the status of API errors', () => {
    expect(shouldRetry(APIError.generate(503, {}, undefined))).toBe(true);
    expect(shouldRetry(APIError.generate(429, {}, undefined))).toBe(true);
    expect(shouldRetry(APIError.generate(404, {}, undefined))).toBe(false);
    expect(shouldRetry(APIError.generate(409, {}, undefined))).toBe(false);
  });

  it('defaults to 4 retries', () => {
    expect(DEFAULT_MAX_RETRIES).toBe(4);
  });
});

describe('serverRetryDelayMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads retry-after-ms first, then x-ms-retry-after-ms, then retry-after', () => {
    expect(
      serverRetryDelayMs(
        { 'retry-after-ms': '250', 'x-ms-retry-after-ms': '900', 'retry-after': '7' },
        now,
      ),
    ).toBe(250);
    expect(serverRetryDelayMs({ 'x-ms-retry-after-ms': '900', 'retry-after': '7' }, now)).toBe(900);
    expect(serverRetryDelayMs({ 'retry-after': '7' }, now)).toBe(7000);
  });

  it('reads retry-after as an HTTP date relative to now', () => {
    const date = new Date(now + 12_000).toUTCString();
    expect(serverRetryDelayMs({ 'retry-after': date }, now)).toBe(12_000);
    expect(serverRetryDelayMs({ 'retry-after': new Date(now - 5000).toUTCString() }, now)).toBe(0);
  });

  it('caps hints at 60 s', () => {
    expect(serverRetryDelayMs({ 'retry-after': '3600' }, now)).toBe(MAX_SERVER_DELAY_MS);
    expect(serverRetryDelayMs({ 'retry-after-ms': '999999' }, now)).toBe(MAX_SERVER_DELAY_MS);
  });

  it('ignores garbage and reads fetch Headers too', () => {
    expect(serverRetryDelayMs({ 'retry-after-ms': 'soon', 'retry-after': 'later' }, now)).toBe(
      undefined,
    );
    expect(serverRetryDelayMs(new Headers({ 'Retry-After-Ms': '40' }), now)).toBe(40);
    expect(serverRetryDelayMs(undefined, now)).toBe(undefined);
  });
});

describe('retryDelayMs', () => {
  it('uses full jitter under an exponential ceiling', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelayMs(1, {}, policy, () => 0.999)).toBe(99);
    expect(retryDelayMs(2, {}, policy, () => 0.5)).toBe(100);
    expect(retryDelayMs(3, {}, policy, () => 0.999)).toBe(399);
    expect(retryDelayMs(10, {}, policy, () => 0.999)).toBe(999);
    expect(retryDelayMs(3, {}, policy, () => 0)).toBe(0);
  });

  it('stays within [0, maxDelayMs] for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const d = retryDelayMs(attempt, {}, defaultRetryPolicy, () => r);
          return d >= 0 && d <= defaultRetryPolicy.maxDelayMs;
        },
      ),
    );
  });

  it('waits nothing under noDelayRetryPolicy, unless the server asks', () => {
    expect(retryDelayMs(4, {}, noDelayRetryPolicy, () => 0.9)).toBe(0);
    expect(retryDelayMs(4, { 'retry-after-ms': '120' }, noDelayRetryPolicy, () => 0.9)).toBe(120);
  });

  it('prefers the server hint to backoff', () => {
    expect(retryDelayMs(1, { 'retry-after': '2' }, defaultRetryPolicy, () => 0.9)).toBe(2000);
  });
});
