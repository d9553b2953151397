/** Shapes the Slack emulator keeps, and the workspace every emulator starts with. */

/** A workspace member. */
export interface SlackUser {
  id: string;
  name: string;
  realName?: string;
  isBot?: boolean;
  deleted?: boolean;
}

/** A conversation; `isMember` is whether the bot is in it. */
export interface SlackChannel {
  id: string;
  name: string;
  archived?: boolean;
  isMember?: boolean;
  private?: boolean;
  /** A direct message with this user (channel ids `D…`). */
  imUser?: string;
}

/** A message as the emulator stores it; `user` is the author, `visibleTo` an ephemeral's recipient. */
export interface SlackMessage {
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  user?: string;
  bot_id?: string;
  ephemeral?: boolean;
  visibleTo?: string;
  reply_broadcast?: boolean;
  edited?: boolean;
  /** Ids of the files shared with this message by files.completeUploadExternal (see `files`). */
  files?: string[];
  /** Message metadata (`chat.postMessage`/`chat.update` `metadata`); an update replaces it. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** A user group's members, or the error `usergroups.users.list` answers for it. */
export type UsergroupEntry = string[] | { error: string };

/** The fixed identities of the emulated workspace and app. */
export const SLACK_WORKSPACE = {
  teamId: 'T0FTOPS',
  teamName: 'ftops dev',
  teamDomain: 'ftops-dev',
  url: 'https://ftops-dev.slack.com/',
  botUserId: 'U0FTBOT',
  botUserName: 'ftops',
  botId: 'B0FTBOT',
  appId: 'A0FTOPS',
  botScopes: [
    'commands',
    'chat:write',
    'chat:write.public',
    'usergroups:read',
    'users:read',
    'files:write',
  ],
} as const;

/** Users every emulator starts with: a requester, an approver and an outsider. */
export const DEFAULT_USERS: readonly SlackUser[] = [
  { id: 'U0REQUEST', name: 'riley', realName: 'Riley Requester' },
  { id: 'U0APPROVE', name: 'avery', realName: 'Avery Approver' },
  { id: 'U0OUTSIDE', name: 'sam', realName: 'Sam Outsider' },
  { id: SLACK_WORKSPACE.botUserId, name: SLACK_WORKSPACE.botUserName, isBot: true },
];

/** Public channels every emulator starts with, the bot a member of each. */
export const DEFAULT_CHANNELS: readonly SlackChannel[] = [
  { id: 'C0TRAINING', name: 'ml-training', isMember: true },
  { id: 'C0APPROVALS', name: 'approvals', isMember: true },
];

/** User groups every emulator starts with. */
export const DEFAULT_USERGROUPS: Readonly<Record<string, UsergroupEntry>> = {
  S0APPROVERS: ['U0APPROVE'],
};
