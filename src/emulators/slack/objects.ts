import {
  SLACK_WORKSPACE,
  type SlackChannel,
  type SlackMessage,
  type SlackUser,
} from './fixtures.ts';
import type { SlackView } from './state.ts';

// The JSON objects Web API methods answer with, built from what the emulator stores.

const W = SLACK_WORKSPACE;

/** A `user` object as users.info answers it. */
export function userObject(u: SlackUser): Record<string, unknown> {
  const realName = u.realName ?? u.name;
  return {
    id: u.id,
    team_id: W.teamId,
    name: u.name,
    deleted: u.deleted ?? false,
    real_name: realName,
    tz: 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    is_admin: false,
    is_owner: false,
    is_bot: u.isBot ?? false,
    is_app_user: false,
    updated: 1732000000,
    profile: {
      real_name: realName,
      display_name: u.name,
      real_name_normalized: realName,
      display_name_normalized: u.name,
      team: W.teamId,
    },
  };
}

/** A `channel` object as conversations.info answers it. */
export function channelObject(c: SlackChannel): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    is_channel: !c.imUser && !c.private,
    is_group: !c.imUser && Boolean(c.private),
    is_im: Boolean(c.imUser),
    is_private: Boolean(c.private),
    is_archived: Boolean(c.archived),
    is_member: Boolean(c.isMember),
    is_general: false,
    created: 1732000000,
    creator: 'U0REQUEST',
    ...(c.imUser ? { user: c.imUser } : {}),
  };
}

/** A message permalink as chat.getPermalink answers it. */
export function permalink(channel: string, m: SlackMessage): string {
  const base = `${W.url}archives/${channel}/p${m.ts.replace('.', '')}`;
  return m.thread_ts && m.thread_ts !== m.ts
    ? `${base}?thread_ts=${m.thread_ts}&cid=${channel}`
    : base;
}

/** A `view` object as views.* answer it. */
export function viewObject(v: SlackView): Record<string, unknown> {
  const view = v.view;
  return {
    id: v.id,
    team_id: W.teamId,
    type: view.type ?? 'modal',
    title: view.title,
    submit: view.submit ?? null,
    close: view.close ?? null,
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    external_id: view.external_id ?? '',
    state: { values: {} },
    hash: v.hash,
    clear_on_close: Boolean(view.clear_on_close),
    notify_on_close: Boolean(view.notify_on_close),
    root_view_id: v.id,
    previous_view_id: null,
    app_id: W.appId,
    app_installed_team_id: W.teamId,
    bot_id: W.botId,
  };
}
