import { randomBytes } from 'node:crypto';
import { SLACK_WORKSPACE } from './fixtures.ts';
import type { Workspace } from './state.ts';

/** A file as the emulator keeps it, from getUploadURLExternal on. */
export interface SlackFile {
  id: string;
  filename: string;
  /** The length getUploadURLExternal was told; the upload must match it. */
  length: number;
  altText?: string;
  snippetType?: string;
  /** From completeUploadExternal (default the filename). */
  title?: string;
  /** What was POSTed to the upload URL; absent until then. */
  bytes?: Buffer;
  /** Set by completeUploadExternal; the file can be completed once. */
  completed: boolean;
  created: number;
  /** Where completeUploadExternal shared it: the message that carries it. */
  shares: Array<{ channel: string; ts: string; threadTs?: string }>;
}

const MIME: Record<string, [mimetype: string, filetype: string, pretty: string]> = {
  png: ['image/png', 'png', 'PNG'],
  jpg: ['image/jpeg', 'jpg', 'JPEG'],
  jpeg: ['image/jpeg', 'jpg', 'JPEG'],
  gif: ['image/gif', 'gif', 'GIF'],
  svg: ['image/svg+xml', 'svg', 'SVG'],
  csv: ['text/csv', 'csv', 'CSV'],
  txt: ['text/plain', 'text', 'Plain Text'],
  json: ['application/json', 'json', 'JSON'],
  pdf: ['application/pdf', 'pdf', 'PDF'],
};

/** The mimetype, filetype and pretty type Slack gives a file, by its extension. */
export function typeOf(filename: string): [string, string, string] {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  return MIME[ext] ?? ['application/octet-stream', 'binary', 'Binary'];
}

/** A file id like Slack's (`F` and ten upper-case letters or digits). */
export function newFileId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(10);
  return `F${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** The path a file's bytes are served at (`url_private`), as Slack shapes it. */
export function filePath(f: Pick<SlackFile, 'id' | 'filename'>): string {
  return `/files-pri/${SLACK_WORKSPACE.teamId}-${f.id}/${encodeURIComponent(f.filename)}`;
}

/** The `file` object Slack answers with and puts in a message's `files`. */
export function fileObject(ws: Workspace, f: SlackFile, baseUrl: string): Record<string, unknown> {
  const [mimetype, filetype, pretty] = typeOf(f.filename);
  const publicShares: Record<string, unknown[]> = {};
  const privateShares: Record<string, unknown[]> = {};
  for (const s of f.shares) {
    const c = ws.channels.get(s.channel);
    const target = c?.private || c?.imUser ? privateShares : publicShares;
    const list = target[s.channel] ?? [];
    list.push({
      ts: s.ts,
      ...(s.threadTs ? { thread_ts: s.threadTs } : {}),
      channel_name: c?.name ?? s.channel,
      team_id: SLACK_WORKSPACE.teamId,
      share_user_id: SLACK_WORKSPACE.botUserId,
      reply_users: [],
      reply_users_count: 0,
      reply_count: 0,
    });
    target[s.channel] = list;
  }
  const channels = [...new Set(f.shares.map((s) => s.channel))];
  const url = `${baseUrl}${filePath(f)}`;
  return {
    id: f.id,
    created: Math.floor(f.created / 1000),
    timestamp: Math.floor(f.created / 1000),
    name: f.filename,
    title: f.title ?? f.filename,
    mimetype,
    filetype,
    pretty_type: pretty,
    user: SLACK_WORKSPACE.botUserId,
    user_team: SLACK_WORKSPACE.teamId,
    mode: 'hosted',
    editable: false,
    is_external: false,
    external_type: '',
    size: f.bytes?.length ?? f.length,
    ...(f.altText ? { alt_txt: f.altText } : {}),
    url_private: url,
    url_private_download: `${url}?download=1`,
    permalink: `${SLACK_WORKSPACE.url}files/${SLACK_WORKSPACE.botUserId}/${f.id}/${encodeURIComponent(f.filename)}`,
    is_public: channels.some((id) => {
      const c = ws.channels.get(id);
      return c !== undefined && !c.private && !c.imUser;
    }),
    public_url_shared: false,
    channels: channels.filter((id) => publicShares[id]),
    groups: channels.filter((id) => privateShares[id] && !ws.channels.get(id)?.imUser),
    ims: channels.filter((id) => ws.channels.get(id)?.imUser),
    shares: {
      ...(Object.keys(publicShares).length > 0 ? { public: publicShares } : {}),
      ...(Object.keys(privateShares).length > 0 ? { private: privateShares } : {}),
    },
  };
}

/** A thrown Web API error; the same shape as methods.ts's SlackApiError, built by its caller. */
export type Fail = (error: string, messages?: string[]) => never;
