import { type Logger, LogLevel, WebClient } from '@slack/web-api';
import type { Config } from '../bot/config/index.ts';
import { errorText } from '../util/error-text.ts';
import { CHECKS, type CheckResult, fail, skip } from './check.ts';
import { requiredBotScopes } from './scopes.ts';
import { checkApprovers, checkBotScopes, checkBotToken, checkSocketMode } from './slack-checks.ts';

// The Web API client's own warnings would interleave with the report; failures are reported
// through the checks instead.
const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function slackClient(token: string, config: Config, timeoutMs: number): WebClient {
  return new WebClient(token, {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logger: silentLogger,
  });
}

/** The Slack checks: the bot token, its scopes, the approver groups and Socket Mode. */
export async function slackChecks(
  config: Config,
  timeoutMs: number,
  manifestUrl: URL,
): Promise<CheckResult[]> {
  const bot = slackClient(config.slack.botToken, config, timeoutMs);
  const auth = await checkBotToken(bot, config.slack.apiUrl);
  const results = [auth.result];
  if (!auth.result.ok) {
    results.push(
      skip(CHECKS.slackScopes, 'the bot token did not work'),
      skip(CHECKS.approvers, 'the bot token did not work'),
    );
  } else {
    let required: string[] | undefined;
    try {
      required = await requiredBotScopes(manifestUrl);
    } catch (err) {
      results.push(
        fail(
          'Slack bot scopes',
          `could not read manifest.yml: ${errorText(err)}`,
          'Keep manifest.yml next to package.json (the image copies it).',
        ),
      );
    }
    if (required) results.push(checkBotScopes(auth.scopes, required));
    // Each distinct approver list once: resources that share the defaults share one check.
    const lists = new Map<string, Config['approval']>();
    for (const { approval } of config.resources)
      lists.set(JSON.stringify([approval.approvers, approval.gatedActions]), approval);
    for (const policy of lists.values())
      results.push(await checkApprovers(bot, policy.approvers, policy.gatedActions));
  }
  if (config.slack.appToken) {
    const app = slackClient(config.slack.appToken, config, timeoutMs);
    results.push(await checkSocketMode(app, config.slack.apiUrl));
  }
  return results;
}
