/**
 * Builds requests the way Slack sends them to an app over HTTP: signed with the signing
 * secret, slash commands as form fields, interactions as a form field `payload` holding JSON.
 */
import { createHmac } from 'node:crypto';
import { DEFAULT_USERS, SLACK_WORKSPACE } from './slack/fixtures.ts';

/** Headers Slack puts on every request it sends to an app. */
export interface SlackSignedHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
  'content-type': 'application/x-www-form-urlencoded';
}

/** The legacy verification token Slack still puts in bodies; apps must not rely on it. */
export const VERIFICATION_TOKEN = 'emulator-verification-token';

const W = SLACK_WORKSPACE;

/** A fixture user's name (`riley` for U0REQUEST), or the id lower-cased for anyone else. */
const userName = (id: string) => DEFAULT_USERS.find((u) => u.id === id)?.name ?? id.toLowerCase();

/** Signs a raw body: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` under the signing secret. */
export function signRequest(
  secret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): SlackSignedHeaders {
  const digest = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'x-slack-signature': `v0=${digest}`,
    'x-slack-request-timestamp': String(timestamp),
    'content-type': 'application/x-www-form-urlencoded',
  };
}

/** Fields of a slash command; the ones left out take the emulator workspace's values. */
export interface SlashCommandFields {
  text: string;
  user_id: string;
  channel_id: string;
  response_url: string;
  trigger_id?: string;
  team_id?: string;
  user_name?: string;
  channel_name?: string;
  command?: string;
}

/** A fresh trigger id shaped like Slack's (`<digits>.<digits>.<hex>`). */
export function newTriggerId(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join(
    '',
  );
  return `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${hex}`;
}

/** Every field Slack sends for a slash command, as an object (the Socket Mode payload shape). */
export function slashCommandPayload(f: SlashCommandFields): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: f.team_id ?? W.teamId,
    team_domain: W.teamDomain,
    channel_id: f.channel_id,
    channel_name: f.channel_name ?? f.channel_id,
    user_id: f.user_id,
    user_name: f.user_name ?? userName(f.user_id),
    command: f.command ?? '/ft',
    text: f.text,
    api_app_id: W.appId,
    is_enterprise_install: 'false',
    response_url: f.response_url,
    trigger_id: f.trigger_id ?? newTriggerId(),
  };
}

/** A slash command's form-encoded body, as Slack POSTs it. */
export function slashCommandBody(f: SlashCommandFields): string {
  return new URLSearchParams(slashCommandPayload(f)).toString();
}

/** An interaction's form-encoded body: one field `payload` holding the JSON. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A block_actions body (form-encoded `payload=<json>`). */
export const blockActionsBody = interactionBody;

/** A view_submission body (form-encoded `payload=<json>`). */
export const viewSubmissionBody = interactionBody;

const userObject = (id: string) => ({
  id,
  username: userName(id),
  name: userName(id),
  team_id: W.teamId,
});
const team = { id: W.teamId, domain: W.teamDomain };

/** What a button click carries; `message` is the message the button sat on. */
export interface BlockActionsInput {
  user: string;
  channel: string;
  actionId: string;
  value: string;
  blockId: string;
  responseUrl: string;
  message?: { ts: string; text?: string; blocks?: unknown[]; ephemeral?: boolean };
  triggerId?: string;
  buttonText?: string;
  channelName?: string;
}

/** The JSON Slack sends when a user clicks a button in a message. */
export function blockActionsPayload(i: BlockActionsInput): Record<string, unknown> {
  const messageTs = i.message?.ts ?? '1732000000.000100';
  const actionTs = (Date.now() / 1000).toFixed(6);
  const ephemeral = Boolean(i.message?.ephemeral);
  return {
    type: 'block_actions',
    user: userObject(i.user),
    api_app_id: W.appId,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: messageTs,
      channel_id: i.channel,
      is_ephemeral: ephemeral,
    },
    trigger_id: i.triggerId ?? newTriggerId(),
    team,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: i.channel, name: i.channelName ?? i.channel },
    // Slack leaves the message out when the button sat on an ephemeral message.
    ...(i.message && !ephemeral
      ? {
          message: {
            type: 'message',
            user: W.botUserId,
            bot_id: W.botId,
            app_id: W.appId,
            team: W.teamId,
            ts: i.message.ts,
            text: i.message.text ?? '',
            blocks: i.message.blocks ?? [],
          },
        }
      : {}),
    state: { values: {} },
    response_url: i.responseUrl,
    actions: [
      {
        action_id: i.actionId,
        block_id: i.blockId,
        text: { type: 'plain_text', text: i.buttonText ?? i.value, emoji: true },
        value: i.value,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
}

/** What a modal submission carries: `values` is `view.state.values` (block → action → value). */
export interface ViewSubmissionInput {
  user: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, unknown>>;
  viewId?: string;
  triggerId?: string;
}

/** The JSON Slack sends when a user submits a modal. */
export function viewSubmissionPayload(i: ViewSubmissionInput): Record<string, unknown> {
  const viewId = i.viewId ?? 'V0EMULATED';
  return {
    type: 'view_submission',
    team,
    user: userObject(i.user),
    api_app_id: W.appId,
    token: VERIFICATION_TOKEN,
    trigger_id: i.triggerId ?? newTriggerId(),
    view: {
      id: viewId,
      team_id: W.teamId,
      type: 'modal',
      blocks: [],
      private_metadata: i.privateMetadata,
      callback_id: i.callbackId,
      state: { values: i.values },
      hash: `${Math.floor(Date.now() / 1000)}.emulated`,
      title: { type: 'plain_text', text: 'ftops', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: W.appId,
      external_id: '',
      app_installed_team_id: W.teamId,
      bot_id: W.botId,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
