import { Agent, request } from 'undici';
import { isAllowedResponseUrl } from '../response-url.ts';

/** Slack answers a response_url within a second or two; one that hangs is given up. */
const TIMEOUT_MS = 10_000;

/**
 * Posts answers to Slack's response URLs over one keep-alive pool (Bolt's `respond()` opens
 * Node's `fetch` each time). Only a URL on Slack (or the configured Slack API's origin) is
 * posted to, checked again here since the work may come from another process.
 */
export function createResponsePoster(slackApiUrl: string): {
  post(url: string, body: unknown): Promise<void>;
  close(): Promise<void>;
} {
  const agent = new Agent({
    connections: 32,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    keepAliveTimeout: 30_000,
  });
  return {
    async post(url, body) {
      if (!isAllowedResponseUrl(url, slackApiUrl))
        throw new Error('the response_url is not on Slack; nothing was posted');
      const res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300)
        throw new Error(
          `Slack answered the response_url with HTTP ${res.statusCode}: ${text.slice(0, 100)}`,
        );
    },
    close: () => agent.close(),
  };
}
