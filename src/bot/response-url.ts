import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';

/** Where Slack's response URLs live: commercial Slack and GovSlack. */
const SLACK_RESPONSE_ORIGINS = new Set(['https://hooks.slack.com', 'https://hooks.slack-gov.com']);

/**
 * Whether ftops may POST an answer to `url`: only on Slack's response host, or on the origin of
 * the configured Slack API URL (a Slack emulator or proxy). Anything else, a URL carrying
 * credentials included, is refused: an answer holds job details and must not go elsewhere.
 */
export function isAllowedResponseUrl(url: string, slackApiUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (SLACK_RESPONSE_ORIGINS.has(parsed.origin)) return true;
  try {
    return parsed.origin === new URL(slackApiUrl).origin;
  } catch {
    return false;
  }
}

/** Every response URL a request carries (commands and clicks: one; modal submissions: a list). */
export function responseUrlsOf(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as { response_url?: unknown; response_urls?: unknown };
  const out: string[] = [];
  if (b.response_url !== undefined && b.response_url !== '') out.push(String(b.response_url));
  if (Array.isArray(b.response_urls)) {
    for (const entry of b.response_urls) {
      const url = (entry as { response_url?: unknown } | null)?.response_url;
      if (url !== undefined && url !== '') out.push(String(url));
    }
  }
  return out;
}

/**
 * Global middleware: a request whose response URL is not Slack's is acked and dropped before
 * any listener runs, so nothing is done and nothing is posted to that URL.
 */
export function guardResponseUrls(
  slackApiUrl: string,
  logger: Logger,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const foreign = responseUrlsOf(args.body).filter((u) => !isAllowedResponseUrl(u, slackApiUrl));
    if (foreign.length === 0) {
      await args.next();
      return;
    }
    logger.warn(
      { hosts: foreign.map(hostOf) },
      'refused a Slack request whose response_url is not on Slack; nothing was done',
    );
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (typeof ack === 'function') await ack();
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.slice(0, 100);
  } catch {
    return 'unparseable';
  }
}
