import { randomBytes } from 'node:crypto';
import { type Args, bool, str } from './args.ts';
import { validateBlocks } from './blocks.ts';
import { completeUploadExternal, getUploadURLExternal } from './files.ts';
import { SLACK_WORKSPACE, type SlackChannel, type SlackMessage } from './fixtures.ts';
import { channelObject, permalink, userObject, viewObject } from './objects.ts';
import type { Workspace } from './state.ts';

/** A Web API error answer (`{ ok: false, error, ...extra }`), thrown by a method handler. */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
    this.name = 'SlackApiError';
  }
}

/** What a method handler may use besides the workspace. */
export interface MethodContext {
  ws: Workspace;
  /** Issues a Socket Mode WebSocket URL (apps.connections.open). */
  socketUrl(): string;
  /** The emulator's own `http://127.0.0.1:<port>`, for upload and file URLs. */
  baseUrl(): string;
}

type Handler = (args: Args, ctx: MethodContext) => Record<string, unknown>;

/** The longest `text` Slack accepts before answering `msg_too_long`. */
export const MAX_TEXT = 40_000;

const W = SLACK_WORKSPACE;

function required(args: Args, key: string): string {
  const v = str(args, key);
  if (v === undefined) {
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: [`[ERROR] missing required field: ${key}`] },
    });
  }
  return v;
}

/** Throws Slack's error answer, with `[ERROR]` detail lines when given. */
function fail(error: string, messages?: string[]): never {
  throw new SlackApiError(error, messages ? { response_metadata: { messages } } : {});
}

function checkBlocks(blocks: unknown, surface: 'message' | 'view'): void {
  if (blocks === undefined) return;
  const check = validateBlocks(blocks, surface);
  if (!check.ok)
    throw new SlackApiError(check.error, { response_metadata: { messages: check.messages } });
}

/** The channel a chat.* call may write to, or the error Slack gives (bot has chat:write.public). */
function writableChannel(ws: Workspace, ref: string | undefined): SlackChannel {
  if (ref === undefined) throw new SlackApiError('channel_not_found');
  const c = ws.resolveChannel(ref);
  if (!c) throw new SlackApiError('channel_not_found');
  if (c.archived) throw new SlackApiError('is_archived');
  if (c.private && !c.isMember) throw new SlackApiError('not_in_channel');
  return c;
}

function visibleChannel(ws: Workspace, ref: string | undefined): SlackChannel {
  const c = ref === undefined ? undefined : ws.resolveChannel(ref);
  if (!c || (c.private && !c.isMember)) throw new SlackApiError('channel_not_found');
  return c;
}

function messageContent(args: Args): Pick<SlackMessage, 'text' | 'blocks' | 'attachments'> {
  const text = str(args, 'text');
  const blocks = args.blocks as unknown;
  const attachments = args.attachments as unknown;
  if (text === undefined && blocks === undefined && attachments === undefined) {
    throw new SlackApiError('no_text');
  }
  if (text !== undefined && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  checkBlocks(blocks, 'message');
  return {
    text: text ?? '',
    blocks: Array.isArray(blocks) ? blocks : undefined,
    attachments: Array.isArray(attachments) ? attachments : undefined,
  };
}

function parseView(args: Args, surface: 'modal' | 'home'): Record<string, unknown> {
  const view = args.view;
  if (typeof view !== 'object' || view === null || Array.isArray(view)) {
    throw new SlackApiError(view === undefined ? 'invalid_arguments' : 'invalid_view');
  }
  const v = view as Record<string, unknown>;
  if (surface === 'home' && v.type !== 'home') throw new SlackApiError('invalid_arguments');
  if (surface === 'modal' && v.type !== 'modal') throw new SlackApiError('invalid_arguments');
  checkBlocks(v.blocks ?? [], 'view');
  return v;
}

/**
 * Message metadata as Slack takes it (`{ event_type, event_payload }`): undefined when absent,
 * `invalid_metadata_format` when it is not that shape.
 */
function messageMetadata(args: Args): SlackMessage['metadata'] {
  const m = args.metadata as unknown;
  if (m === undefined || m === '') return undefined;
  const ok =
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { event_type?: unknown }).event_type === 'string' &&
    typeof (m as { event_payload?: unknown }).event_payload === 'object' &&
    (m as { event_payload?: unknown }).event_payload !== null &&
    !Array.isArray((m as { event_payload?: unknown }).event_payload);
  if (!ok) throw new SlackApiError('invalid_metadata_format');
  const { event_type, event_payload } = m as {
    event_type: string;
    event_payload: Record<string, unknown>;
  };
  return { event_type, event_payload };
}

const newHash = () => `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;

/** The Web API methods the emulator answers, by name. */
export const METHODS: Record<string, Handler> = {
  'api.test': (args) => ({ args }),

  'auth.test': () => ({
    url: W.url,
    team: W.teamName,
    user: W.botUserName,
    team_id: W.teamId,
    user_id: W.botUserId,
    bot_id: W.botId,
    is_enterprise_install: false,
  }),

  'apps.connections.open': (_args, ctx) => ({ url: ctx.socketUrl() }),

  'chat.postMessage': (args, { ws }) => {
    const channel = writableChannel(ws, str(args, 'channel'));
    const content = messageContent(args);
    const metadata = messageMetadata(args);
    const threadTs = str(args, 'thread_ts');
    const message = ws.addMessage(channel.id, {
      ...content,
      metadata,
      thread_ts: threadTs,
      reply_broadcast: threadTs !== undefined && bool(args, 'reply_broadcast') ? true : undefined,
      user: W.botUserId,
      bot_id: W.botId,
    });
    return { channel: channel.id, ts: message.ts, message: ws.messageObject(message) };
  },

  'chat.update': (args, { ws }) => {
    const channel = writableChannel(ws, str(args, 'channel'));
    const ts = required(args, 'ts');
    const message = ws.findMessage(channel.id, ts);
    if (!message || message.ephemeral) throw new SlackApiError('message_not_found');
    if (message.bot_id !== W.botId) throw new SlackApiError('cant_update_message');
    const text = str(args, 'text');
    if (text !== undefined && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
    const blocks = args.blocks as unknown;
    checkBlocks(blocks, 'message');
    const metadata = messageMetadata(args);
    ws.updateMessage(channel.id, message, {
      text,
      metadata,
      blocks: Array.isArray(blocks) ? blocks : undefined,
      attachments: Array.isArray(args.attachments) ? (args.attachments as unknown[]) : undefined,
    });
    return { channel: channel.id, ts, text: message.text, message: ws.messageObject(message) };
  },

  'chat.postEphemeral': (args, { ws }) => {
    const channel = writableChannel(ws, str(args, 'channel'));
    const user = required(args, 'user');
    if (!ws.users.has(user)) throw new SlackApiError('user_not_found');
    const content = messageContent(args);
    const message = ws.addMessage(channel.id, {
      ...content,
      thread_ts: str(args, 'thread_ts'),
      user: W.botUserId,
      bot_id: W.botId,
      ephemeral: true,
      visibleTo: user,
    });
    return { message_ts: message.ts };
  },

  'chat.delete': (args, { ws }) => {
    const channel = writableChannel(ws, str(args, 'channel'));
    const ts = required(args, 'ts');
    const message = ws.findMessage(channel.id, ts);
    if (!message || message.ephemeral) throw new SlackApiError('message_not_found');
    if (message.bot_id !== W.botId) throw new SlackApiError('cant_delete_message');
    ws.deleteMessage(channel.id, ts);
    return { channel: channel.id, ts };
  },

  'chat.getPermalink': (args, { ws }) => {
    const channel = visibleChannel(ws, str(args, 'channel'));
    const message = ws.findMessage(channel.id, required(args, 'message_ts'));
    if (!message || message.ephemeral) throw new SlackApiError('message_not_found');
    return { channel: channel.id, permalink: permalink(channel.id, message) };
  },

  'files.getUploadURLExternal': (args, { ws, baseUrl }) =>
    getUploadURLExternal(args, ws, baseUrl(), fail),

  'files.completeUploadExternal': (args, { ws, baseUrl }) => {
    checkBlocks(args.initial_comment === undefined ? args.blocks : undefined, 'message');
    return completeUploadExternal(args, ws, baseUrl(), fail);
  },

  'conversations.info': (args, { ws }) => ({
    channel: channelObject(visibleChannel(ws, str(args, 'channel'))),
  }),

  'conversations.open': (args, { ws }) => {
    const users = (str(args, 'users') ?? '').split(',').filter(Boolean);
    const [user] = users;
    if (user === undefined) throw new SlackApiError('users_list_not_supplied');
    if (!ws.users.has(user)) throw new SlackApiError('user_not_found');
    return { channel: { id: ws.openIm(user).id } };
  },

  'users.info': (args, { ws }) => {
    const user = ws.users.get(required(args, 'user'));
    if (!user) throw new SlackApiError('user_not_found');
    return { user: userObject(user) };
  },

  'usergroups.users.list': (args, { ws }) => {
    const entry = ws.usergroups.get(required(args, 'usergroup'));
    if (entry === undefined) throw new SlackApiError('no_such_subteam');
    if (!Array.isArray(entry)) throw new SlackApiError(entry.error);
    return { users: [...entry] };
  },

  'usergroups.list': (args, { ws }) => {
    const usergroups = [...ws.usergroups].flatMap(([id, entry]) =>
      Array.isArray(entry)
        ? [
            {
              id,
              team_id: W.teamId,
              handle: id.toLowerCase(),
              name: id,
              user_count: entry.length,
              ...(bool(args, 'include_users') ? { users: [...entry] } : {}),
            },
          ]
        : [],
    );
    return { usergroups };
  },

  'views.open': (args, { ws }) => {
    const triggerId = required(args, 'trigger_id');
    const view = parseView(args, 'modal');
    const saved = ws.saveView({
      id: ws.nextViewId(),
      hash: newHash(),
      trigger_id: triggerId,
      view,
    });
    return { view: viewObject(saved) };
  },

  'views.update': (args, { ws }) => {
    const viewId = str(args, 'view_id');
    const externalId = str(args, 'external_id');
    const existing = viewId
      ? ws.views.get(viewId)
      : [...ws.views.values()].find((v) => externalId && v.view.external_id === externalId);
    if (!existing) throw new SlackApiError('not_found');
    const hash = str(args, 'hash');
    if (hash !== undefined && hash !== existing.hash) throw new SlackApiError('hash_conflict');
    const view = parseView(args, existing.view.type === 'home' ? 'home' : 'modal');
    const saved = ws.saveView({ ...existing, hash: newHash(), view });
    return { view: viewObject(saved) };
  },

  'views.publish': (args, { ws }) => {
    const user = required(args, 'user_id');
    if (!ws.users.has(user)) throw new SlackApiError('user_not_found');
    const view = parseView(args, 'home');
    const existing = [...ws.views.values()].find((v) => v.user === user && v.view.type === 'home');
    const saved = ws.saveView({ id: existing?.id ?? ws.nextViewId(), hash: newHash(), user, view });
    return { view: viewObject(saved) };
  },
};
