import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { classifySlackError } from '../../src/poller/slack-errors.ts';

const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });

describe('classifySlackError', () => {
  it('waits for Retry-After on 429', () => {
    expect(classifySlackError(new WebAPIRateLimitedError(3))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: 3000,
    });
  });

  it('sorts platform errors', () => {
    expect(classifySlackError(platform('is_archived')).kind).toBe('channel-gone');
    expect(classifySlackError(platform('channel_not_found')).kind).toBe('channel-gone');
    expect(classifySlackError(platform('not_in_channel')).kind).toBe('not-in-channel');
    expect(classifySlackError(platform('message_not_found')).kind).toBe('message-gone');
    expect(classifySlackError(platform('internal_error')).kind).toBe('retryable');
    expect(classifySlackError(platform('invalid_blocks')).kind).toBe('unrecoverable');
  });

  it('retries server and network trouble, not client errors', () => {
    expect(classifySlackError(new WebAPIHTTPError(503, 'x', {})).kind).toBe('retryable');
    expect(classifySlackError(new WebAPIHTTPError(400, 'x', {})).kind).toBe('unrecoverable');
    expect(classifySlackError(new WebAPIRequestError(new Error('reset'))).kind).toBe('retryable');
  });
});
