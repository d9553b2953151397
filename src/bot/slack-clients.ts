import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import { toSlackLogger } from './bolt-logger.ts';

/**
 * Retry policies for the Slack Web API. The SDK's default retries for about 30 minutes, which
 * is right for nobody here: a reply to a person must come within seconds or not at all, while
 * a background announcement may wait out a longer outage (BullMQ retries it after that).
 */
export const replyRetryPolicy = { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 };
export const backgroundRetryPolicy = { retries: 0 };

/** Options for the client Bolt uses to answer users (posts, updates, views.open). */
export function replyClientOptions(apiUrl: string, logger: Logger): WebClientOptions {
  return {
    slackApiUrl: apiUrl,
    retryConfig: replyRetryPolicy,
    timeout: 10_000,
    logger: toSlackLogger(logger, 'slack-web'),
  };
}

/**
 * The client for announcements and other background posts. It never retries by itself and
 * reports 429 at once: the notify worker then waits out `Retry-After` through BullMQ, so a
 * rate-limited channel does not hold a worker slot and nothing is sent twice.
 */
export function createBackgroundClient(token: string, apiUrl: string, logger: Logger): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: backgroundRetryPolicy,
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: toSlackLogger(logger, 'slack-background'),
  });
}
