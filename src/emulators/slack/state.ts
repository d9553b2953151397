import { EventEmitter } from 'node:events';
import type { SlackFile } from './files.ts';
import {
  DEFAULT_CHANNELS,
  DEFAULT_USERGROUPS,
  DEFAULT_USERS,
  SLACK_WORKSPACE,
  type SlackChannel,
  type SlackMessage,
  type SlackUser,
  type UsergroupEntry,
} from './fixtures.ts';

/** A view opened, updated or published through views.*. */
export interface SlackView {
  id: string;
  hash: string;
  trigger_id?: string;
  user?: string;
  view: Record<string, unknown>;
}

/** Where a response_url posts: its channel, the user it answers and the message it came from. */
export interface ResponseTarget {
  channel?: string;
  user?: string;
  messageTs?: string;
  uses: number;
}

/**
 * The emulated workspace: users, channels, messages, views and files. Every change to a message
 * is emitted on `events` ('message', 'update', 'delete', 'view') as `{ channel, message }` or
 * `{ view }`, and each upload's bytes as 'upload' `{ file }`, so a web UI can stream them.
 */
export class Workspace {
  readonly events = new EventEmitter();
  readonly users = new Map<string, SlackUser>();
  readonly channels = new Map<string, SlackChannel>();
  readonly usergroups = new Map<string, UsergroupEntry>();
  readonly messages = new Map<string, SlackMessage[]>();
  readonly views = new Map<string, SlackView>();
  readonly responseTargets = new Map<string, ResponseTarget>();
  /** Files from files.getUploadURLExternal on, by id, with their bytes once uploaded. */
  readonly files = new Map<string, SlackFile>();
  /** Upload URL tokens → the file id each was issued for. */
  readonly uploadTargets = new Map<string, string>();
  private lastMicros = 0n;
  private viewSeq = 0;

  constructor() {
    this.reset();
  }

  /** Back to the default fixtures with no messages, views or response URLs. */
  reset(): void {
    this.users.clear();
    this.channels.clear();
    this.usergroups.clear();
    this.messages.clear();
    this.views.clear();
    this.responseTargets.clear();
    this.files.clear();
    this.uploadTargets.clear();
    for (const u of DEFAULT_USERS) this.users.set(u.id, { ...u });
    for (const c of DEFAULT_CHANNELS) this.channels.set(c.id, { ...c });
    for (const [id, entry] of Object.entries(DEFAULT_USERGROUPS)) {
      this.usergroups.set(id, Array.isArray(entry) ? [...entry] : { ...entry });
    }
  }

  /** A fresh message ts (`seconds.micros`), from the wall clock and strictly increasing. */
  nextTs(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.lastMicros = now > this.lastMicros ? now : this.lastMicros + 1n;
    const s = this.lastMicros.toString();
    return `${s.slice(0, -6)}.${s.slice(-6)}`;
  }

  /** A fresh view id like Slack's `V…`. */
  nextViewId(): string {
    this.viewSeq += 1;
    return `V0${this.viewSeq.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  /** Finds a channel by id, `#name`/`name`, or a user id (the DM with that user, opened on use). */
  resolveChannel(ref: string): SlackChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    for (const c of this.channels.values()) if (c.name === name && !c.imUser) return c;
    if (this.users.has(ref)) return this.openIm(ref);
    return undefined;
  }

  /** The DM channel with a user, created when first needed. */
  openIm(userId: string): SlackChannel {
    const id = `D${userId}`;
    let im = this.channels.get(id);
    if (!im) {
      im = { id, name: id, isMember: true, private: true, imUser: userId };
      this.channels.set(id, im);
    }
    return im;
  }

  /** The messages of a channel, created empty when first needed. */
  channelMessages(channel: string): SlackMessage[] {
    let list = this.messages.get(channel);
    if (!list) {
      list = [];
      this.messages.set(channel, list);
    }
    return list;
  }

  /** Finds a message by channel and ts. */
  findMessage(channel: string, ts: string): SlackMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts);
  }

  /** Appends a message with a fresh ts and emits 'message'. */
  addMessage(channel: string, m: Omit<SlackMessage, 'ts'>): SlackMessage {
    const message: SlackMessage = { ts: this.nextTs(), ...dropUndefined(m) };
    this.channelMessages(channel).push(message);
    this.events.emit('message', { channel, message });
    return message;
  }

  /** Replaces a message's content in place (same ts) and emits 'update'. */
  updateMessage(channel: string, message: SlackMessage, change: Partial<SlackMessage>): void {
    Object.assign(message, dropUndefined(change), { edited: true });
    this.events.emit('update', { channel, message });
  }

  /** Removes a message and emits 'delete'. */
  deleteMessage(channel: string, ts: string): boolean {
    const list = this.messages.get(channel);
    const i = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || i < 0) return false;
    const [message] = list.splice(i, 1);
    this.events.emit('delete', { channel, message });
    return true;
  }

  /** Stores a view and emits 'view'. */
  saveView(v: SlackView): SlackView {
    this.views.set(v.id, v);
    this.events.emit('view', { view: v });
    return v;
  }

  /** The Slack `message` object for a stored message, as chat.* methods return it. */
  messageObject(m: SlackMessage): Record<string, unknown> {
    return dropUndefined({
      type: 'message',
      subtype: m.reply_broadcast ? 'thread_broadcast' : undefined,
      text: m.text,
      user: m.user,
      bot_id: m.bot_id,
      app_id: m.bot_id ? SLACK_WORKSPACE.appId : undefined,
      team: SLACK_WORKSPACE.teamId,
      ts: m.ts,
      thread_ts: m.thread_ts,
      blocks: m.blocks,
      attachments: m.attachments,
      metadata: m.metadata,
    });
  }
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
