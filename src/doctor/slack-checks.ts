import type { WebClient } from '@slack/web-api';
import { errorText } from '../util/error-text.ts';
import { CHECKS, type CheckResult, fail, pass, warn } from './check.ts';
import { missingScopes } from './scopes.ts';

/** Slack's error code for a failed Web API call (`invalid_auth`, ...), or a short description. */
export function slackErrorOf(err: unknown): { code: string; network: boolean } {
  const e = err as { code?: string; data?: { error?: unknown }; original?: unknown };
  if (e?.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string') {
    return { code: e.data.error, network: false };
  }
  if (e?.code === 'slack_webapi_request_error') {
    return { code: errorText(e.original ?? err), network: true };
  }
  if (e?.code === 'slack_webapi_rate_limited_error') return { code: 'ratelimited', network: false };
  return { code: errorText(err), network: false };
}

const TOKEN_REFUSED = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);

const unreachable = (apiUrl: string) =>
  `Check that this host can reach ${apiUrl} over HTTPS (proxy, firewall, DNS), or fix SLACK_API_URL.`;

/** What `auth.test` said about the bot, and the scopes its token carries. */
export interface SlackAuth {
  result: CheckResult;
  /** From the `x-oauth-scopes` header; undefined when the call failed or Slack sent none. */
  scopes?: string[];
}

/** Calls `auth.test` with the bot token and reports who the bot is. */
export async function checkBotToken(slack: WebClient, apiUrl: string): Promise<SlackAuth> {
  const name = CHECKS.slackToken;
  try {
    const answer = await slack.auth.test();
    const scopes = answer.response_metadata?.scopes;
    return {
      result: pass(
        name,
        `auth.test OK: @${answer.user ?? '?'} (${answer.user_id ?? '?'}) in ${answer.team ?? '?'} (${answer.team_id ?? '?'})`,
      ),
      ...(scopes ? { scopes } : {}),
    };
  } catch (err) {
    const { code, network } = slackErrorOf(err);
    if (network) {
      return { result: fail(name, `could not reach Slack: ${code}`, unreachable(apiUrl)) };
    }
    const fix = TOKEN_REFUSED.has(code)
      ? 'Copy the Bot User OAuth Token (xoxb-…) from your app’s OAuth & Permissions page into SLACK_BOT_TOKEN; if the app was uninstalled or the token revoked, reinstall the app first.'
      : code === 'not_allowed_token_type'
        ? 'SLACK_BOT_TOKEN must be the bot token (xoxb-…) from OAuth & Permissions, not a user or app-level token.'
        : 'See https://api.slack.com/methods/auth.test for this error.';
    return { result: fail(name, `auth.test answered ${code}`, fix) };
  }
}

/** Compares the token's scopes with the ones manifest.yml asks for. */
export function checkBotScopes(
  granted: readonly string[] | undefined,
  required: readonly string[],
): CheckResult {
  const name = CHECKS.slackScopes;
  if (granted === undefined) {
    return warn(
      name,
      'could not be verified: Slack sent no x-oauth-scopes header',
      `Check under OAuth & Permissions that the bot has: ${required.join(', ')}.`,
    );
  }
  const missing = missingScopes(granted, required);
  if (missing.length === 0) {
    return pass(name, `the token has all ${required.length} scopes manifest.yml asks for`);
  }
  return fail(
    name,
    `the token lacks ${missing.join(', ')}`,
    'Add the missing scopes under OAuth & Permissions → Bot Token Scopes (or update the app from manifest.yml), then reinstall the app to the workspace: a token keeps its old scopes until then.',
  );
}

const GROUP_FIXES: Record<string, string> = {
  no_such_subteam:
    'Check the group IDs in FT_APPROVER_IDS (in Slack: People → User groups → the group; its S… ID is in the link), or remove them.',
  plan_upgrade_required:
    'User groups need a paid Slack plan: list the approvers’ user IDs (U…) in FT_APPROVER_IDS instead.',
  missing_scope:
    'Add the usergroups:read scope (see manifest.yml) and reinstall the app, or list user IDs instead.',
};
const USER_FIX =
  'Check the user IDs in FT_APPROVER_IDS (in Slack: a profile → ⋮ → Copy member ID); remove people who left.';

/**
 * Checks that every approver named in FT_APPROVER_IDS exists: each user group answers
 * `usergroups.users.list`, each user `users.info` and is not deactivated.
 */
export async function checkApprovers(
  slack: WebClient,
  approvers: { readonly users: readonly string[]; readonly groups: readonly string[] },
  gatedActions: readonly string[],
): Promise<CheckResult> {
  const name = CHECKS.approvers;
  const { users, groups } = approvers;
  if (users.length === 0 && groups.length === 0) {
    return gatedActions.length === 0
      ? pass(name, 'none configured, and no action needs approval')
      : warn(
          name,
          `FT_APPROVER_IDS is empty, so nobody can approve ${gatedActions.join(', ')}`,
          'List approver user IDs (U…) or user-group IDs (S…) in FT_APPROVER_IDS, or set FT_GATED_ACTIONS=none.',
        );
  }
  const found: string[] = [];
  const problems: string[] = [];
  const fixes = new Set<string>();
  for (const group of groups) {
    try {
      const answer = await slack.usergroups.users.list({ usergroup: group });
      const count = answer.users?.length ?? 0;
      found.push(`${group} (${count} member${count === 1 ? '' : 's'})`);
      if (count === 0) problems.push(`${group} has no members`);
    } catch (err) {
      const { code } = slackErrorOf(err);
      problems.push(`user group ${group}: usergroups.users.list answered ${code}`);
      fixes.add(GROUP_FIXES[code] ?? GROUP_FIXES.no_such_subteam!);
    }
  }
  for (const user of users) {
    try {
      const answer = await slack.users.info({ user });
      if (answer.user?.deleted) {
        problems.push(`user ${user} is deactivated`);
        fixes.add(USER_FIX);
      } else {
        found.push(user);
      }
    } catch (err) {
      const { code } = slackErrorOf(err);
      problems.push(`user ${user}: users.info answered ${code}`);
      fixes.add(USER_FIX);
    }
  }
  if (fixes.size > 0) return fail(name, problems.join('; '), [...fixes].join(' '));
  if (problems.length > 0) {
    return warn(name, problems.join('; '), 'Add members, or the gated actions cannot be approved.');
  }
  return pass(name, `all found: ${found.join(', ')}`);
}

/** In Socket Mode, checks that the app-level token may open a connection. */
export async function checkSocketMode(slackApp: WebClient, apiUrl: string): Promise<CheckResult> {
  const name = CHECKS.socketMode;
  try {
    await slackApp.apps.connections.open();
    return pass(name, 'apps.connections.open with SLACK_APP_TOKEN OK');
  } catch (err) {
    const { code, network } = slackErrorOf(err);
    if (network) return fail(name, `could not reach Slack: ${code}`, unreachable(apiUrl));
    return fail(
      name,
      `apps.connections.open answered ${code}`,
      code === 'not_allowed_token_type'
        ? 'SLACK_APP_TOKEN must be an app-level token (xapp-…), not the bot token.'
        : 'Turn on Socket Mode in the app settings and create an app-level token with connections:write (Basic Information → App-Level Tokens) for SLACK_APP_TOKEN; or unset SLACK_APP_TOKEN to serve HTTP.',
    );
  }
}
