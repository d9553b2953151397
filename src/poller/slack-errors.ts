import { ErrorCode } from '@slack/web-api';

/**
 * What a failed Slack call means for a notification: pure, so each case is tested without
 * a network. Rate limits wait for Slack's Retry-After; a channel that is gone or archived
 * loses its subscriptions; a card whose message is gone is posted afresh; passing server
 * trouble is retried with backoff; anything else would fail the same way again.
 */
export type SlackFailure =
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'channel-gone'; error: string }
  | { kind: 'not-in-channel'; error: string }
  | { kind: 'message-gone'; error: string }
  | { kind: 'retryable'; error: string }
  | { kind: 'unrecoverable'; error: string };

const CHANNEL_GONE = new Set(['channel_not_found', 'is_archived']);
const MESSAGE_GONE = new Set(['message_not_found', 'cant_update_message']);
const PASSING = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

/** Sorts an error thrown by a `WebClient` call into what the notify worker should do. */
export function classifySlackError(err: unknown): SlackFailure {
  const e = err as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
    message?: string;
  };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      // Retry-After is in seconds; Slack always sends at least 1.
      return { kind: 'rate-limited', retryAfterMs: Math.max(1, Number(e.retryAfter) || 1) * 1000 };
    case ErrorCode.PlatformError: {
      const error = e.data?.error ?? 'unknown_error';
      if (CHANNEL_GONE.has(error)) return { kind: 'channel-gone', error };
      if (error === 'not_in_channel') return { kind: 'not-in-channel', error };
      if (MESSAGE_GONE.has(error)) return { kind: 'message-gone', error };
      if (PASSING.has(error)) return { kind: 'retryable', error };
      return { kind: 'unrecoverable', error };
    }
    case ErrorCode.HTTPError:
      return (e.statusCode ?? 500) >= 500 || e.statusCode === 408
        ? { kind: 'retryable', error: `http_${e.statusCode}` }
        : { kind: 'unrecoverable', error: `http_${e.statusCode}` };
    case ErrorCode.RequestError:
      return { kind: 'retryable', error: 'request_error' };
    default:
      return { kind: 'retryable', error: e?.message ?? String(err) };
  }
}
