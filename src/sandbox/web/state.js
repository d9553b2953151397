// What the page knows: the workspace directory, the verbs, the messages per channel, who you
// act as, open threads and dialogs, and the jobs in the side panel.

/**
 * @typedef {{ channel: string, ts: string, thread_ts?: string, text: string, blocks?: unknown[],
 *   user?: string, ephemeral: boolean, visibleTo?: string, reply_broadcast: boolean,
 *   edited: boolean, echo?: boolean }} Message
 * @typedef {{ id: string, name: string, realName: string, role: string }} User
 */

export const state = {
  /** @type {{ team: string, botUserId: string, users: User[], channels: {id: string, name: string, topic?: string}[], groups: {id: string, handle: string}[] }} */
  directory: { team: '', botUserId: '', users: [], channels: [], groups: [] },
  /** @type {{ verb: string, usage: string, summary: string }[]} */
  commands: [],
  me: 'U0REQUEST',
  channel: 'C0TRAINING',
  /** @type {Map<string, Message[]>} messages by channel, oldest first */
  messages: new Map(),
  /** @type {Set<string>} threads whose replies are shown */
  openThreads: new Set(),
  /** @type {Map<string, number>} */
  unread: new Map(),
  /** @type {Map<string, { id: string, view: Record<string, unknown> }>} modals waiting per user */
  views: new Map(),
  /** @type {{ resource: string, key: string, id: string, status: string, suffix: string | null }[]} */
  jobs: [],
  /** Per resource, how many of its API requests the panel shows (the server's cursor). */
  requestsSeen: '',
};

/** Names for the IDs in mrkdwn (`<@U…>`, `<#C…>`, `<!subteam^S…>`). */
export function renderContext() {
  /** @type {Record<string, string>} */
  const users = {};
  for (const u of state.directory.users) users[u.id] = u.name;
  /** @type {Record<string, string>} */
  const channels = {};
  for (const c of state.directory.channels) channels[c.id] = c.name;
  /** @type {Record<string, string>} */
  const groups = {};
  for (const g of state.directory.groups) groups[g.id] = g.handle;
  return { users, channels, groups };
}

export const userName = (/** @type {string | undefined} */ id) =>
  state.directory.users.find((u) => u.id === id)?.name ?? id ?? 'someone';
export const channelName = (/** @type {string} */ id) =>
  state.directory.channels.find((c) => c.id === id)?.name ?? id;
