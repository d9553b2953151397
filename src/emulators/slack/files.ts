import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Args, str } from './args.ts';
import { SLACK_WORKSPACE, type SlackChannel } from './fixtures.ts';
import type { Workspace } from './state.ts';

/**
 * Slack's current upload flow, as `@slack/web-api`'s `filesUploadV2` drives it:
 * `files.getUploadURLExternal` (a file id and an upload URL on this emulator), a POST of the
 * bytes to that URL (raw, or multipart/form-data as the SDK sends them), then
 * `files.completeUploadExternal`, which shares the file into a channel or thread as a message.
 * The bytes are kept, so a test (or the sandbox page) can read back what was uploaded.
 */

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

/** Slack's limit on an image's alt text (`alt_txt_too_large` past it). */
const MAX_ALT_TEXT = 1000;
/** Slack's largest file, 1 GB; the emulator refuses more rather than buffer it. */
export const MAX_FILE_BYTES = 1024 ** 3;

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

function typeOf(filename: string): [string, string, string] {
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
type Fail = (error: string, messages?: string[]) => never;

/**
 * `files.getUploadURLExternal`: `filename` and `length` (bytes, a whole number) required;
 * answers `{ upload_url, file_id }`.
 */
export function getUploadURLExternal(
  args: Args,
  ws: Workspace,
  baseUrl: string,
  fail: Fail,
): Record<string, unknown> {
  const filename = str(args, 'filename');
  if (filename === undefined)
    fail('invalid_arguments', ['[ERROR] missing required field: filename']);
  const rawLength = str(args, 'length');
  if (rawLength === undefined)
    fail('invalid_arguments', ['[ERROR] missing required field: length']);
  if (!/^\d+$/.test(rawLength as string))
    fail('invalid_arguments', [
      '[ERROR] failed to match all allowed schemas [json-pointer:/length]',
      '[ERROR] must be an integer [json-pointer:/length]',
    ]);
  const length = Number(rawLength);
  // Slack's docs: `missing_argument` "typically only occurs when the length provided is 0".
  if (length === 0) fail('missing_argument');
  if (length > MAX_FILE_BYTES) fail('file_upload_size_restricted');
  const altText = str(args, 'alt_text') ?? str(args, 'alt_txt');
  if (altText !== undefined && altText.length > MAX_ALT_TEXT) fail('alt_txt_too_large');
  const file: SlackFile = {
    id: newFileId(),
    filename: filename as string,
    length,
    completed: false,
    created: Date.now(),
    shares: [],
  };
  if (altText !== undefined) file.altText = altText;
  const snippetType = str(args, 'snippet_type');
  if (snippetType !== undefined) file.snippetType = snippetType;
  ws.files.set(file.id, file);
  const token = randomBytes(18).toString('base64url');
  ws.uploadTargets.set(token, file.id);
  return { upload_url: `${baseUrl}/upload/v1/${token}`, file_id: file.id };
}

/** The files of a completeUploadExternal call, checked: `[{ id, title? }]`, each uploaded once. */
function filesToComplete(args: Args, ws: Workspace, fail: Fail): Array<[SlackFile, string?]> {
  const raw = args.files;
  if (raw === undefined || raw === '')
    fail('invalid_arguments', ['[ERROR] missing required field: files']);
  if (!Array.isArray(raw) || raw.length === 0)
    fail('invalid_arguments', ['[ERROR] must be a non-empty array [json-pointer:/files]']);
  const out: Array<[SlackFile, string?]> = [];
  for (const [i, entry] of (raw as unknown[]).entries()) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id === '')
      fail('invalid_arguments', [`[ERROR] missing required field: id [json-pointer:/files/${i}]`]);
    const file = ws.files.get(id as string);
    // A file never uploaded, or completed already, is as unknown to Slack as a made-up id.
    if (!file) fail('file_not_found', [`[ERROR] unknown file id: ${id}`]);
    if (!(file as SlackFile).bytes)
      fail('file_not_found', [`[ERROR] no bytes were uploaded for ${id}`]);
    if ((file as SlackFile).completed)
      fail('file_not_found', [`[ERROR] ${id} was completed already`]);
    const title = (entry as { title?: unknown }).title;
    out.push([file as SlackFile, typeof title === 'string' && title !== '' ? title : undefined]);
  }
  return out;
}

/** Where completeUploadExternal may share: the bot must be in the channel (files:write has no `.public`). */
function shareChannel(ws: Workspace, ref: string, fail: Fail): SlackChannel {
  const c = ws.resolveChannel(ref);
  if (!c) fail('channel_not_found');
  if ((c as SlackChannel).archived) fail('is_archived');
  if (!(c as SlackChannel).isMember) fail('not_in_channel');
  return c as SlackChannel;
}

/**
 * `files.completeUploadExternal`: `files` (`[{ id, title }]`) required; with `channel_id` (or
 * one `channels` entry) the files are shared there as one message, in `thread_ts`'s thread
 * when given, with `initial_comment` as its text (or `blocks` without a comment); without a
 * channel they stay private.
 */
export function completeUploadExternal(
  args: Args,
  ws: Workspace,
  baseUrl: string,
  fail: Fail,
): Record<string, unknown> {
  const files = filesToComplete(args, ws, fail);
  const channels = (str(args, 'channel_id') ?? str(args, 'channels') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const threadTs = str(args, 'thread_ts');
  if (threadTs !== undefined && channels.length !== 1)
    fail('invalid_arguments', ['[ERROR] thread_ts needs exactly one channel']);
  if (threadTs !== undefined && !/^\d+\.\d+$/.test(threadTs)) fail('invalid_thread_ts');
  const targets = channels.map((ref) => shareChannel(ws, ref, fail));
  const comment = str(args, 'initial_comment');
  const blocks = comment === undefined && Array.isArray(args.blocks) ? args.blocks : undefined;
  for (const [file, title] of files) {
    file.completed = true;
    file.title = title ?? file.filename;
  }
  for (const channel of targets) {
    const message = ws.addMessage(channel.id, {
      text: comment ?? '',
      blocks,
      thread_ts: threadTs,
      user: SLACK_WORKSPACE.botUserId,
      bot_id: SLACK_WORKSPACE.botId,
      files: files.map(([f]) => f.id),
    });
    for (const [file] of files)
      file.shares.push({
        channel: channel.id,
        ts: message.ts,
        ...(threadTs ? { threadTs } : {}),
      });
  }
  return { files: files.map(([f]) => fileObject(ws, f, baseUrl)) };
}

/** Reads a request body as bytes, refusing more than `max` (answered as 413 by the caller). */
async function readBytes(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The file in a multipart/form-data body: the first part with a filename (the SDK sends one
 * part, `body`, with the bytes), else the first part; undefined when the body is not multipart.
 */
export function multipartFile(body: Buffer, contentType: string): Buffer | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) return undefined;
  const delimiter = Buffer.from(`--${mark}`);
  const parts: Array<{ headers: string; data: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF--boundary
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0)
      parts.push({
        headers: part.subarray(0, split).toString('latin1'),
        data: part.subarray(split + 4),
      });
    at = next;
  }
  const withName = parts.find((p) => /filename=/i.test(p.headers));
  return (withName ?? parts[0])?.data;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/**
 * `POST /upload/v1/<token>`: the bytes of the file getUploadURLExternal issued the URL for,
 * raw or as multipart/form-data. Answers `200 OK - <bytes>` as Slack does; 404 for an unknown
 * URL or a completed file; 400 when the bytes are not the length announced (stricter than
 * Slack is known to be, so a wrong length shows up here rather than as a broken file).
 */
export async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  ws: Workspace,
): Promise<void> {
  const fileId = ws.uploadTargets.get(token);
  const file = fileId === undefined ? undefined : ws.files.get(fileId);
  if (req.method !== 'POST') return sendText(res, 405, 'method not allowed');
  if (!file || file.completed) {
    req.resume();
    return sendText(res, 404, 'not found');
  }
  const body = await readBytes(req, file.length + 64 * 1024);
  if (body === undefined) return sendText(res, 413, `more than ${file.length} bytes`);
  const type = req.headers['content-type'] ?? '';
  const bytes = /^multipart\/form-data/i.test(type) ? multipartFile(body, type) : body;
  if (bytes === undefined) return sendText(res, 400, 'no file in the multipart body');
  if (bytes.length !== file.length)
    return sendText(res, 400, `length mismatch: ${bytes.length} bytes, announced ${file.length}`);
  file.bytes = Buffer.from(bytes);
  ws.events.emit('upload', { file });
  sendText(res, 200, `OK - ${bytes.length}`);
}

/**
 * `GET /files-pri/<team>-<id>/<name>`: a completed file's bytes (`url_private`), for the bot
 * token only, as Slack serves private files.
 */
export function handleFileDownload(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ws: Workspace,
  botToken: string,
): void {
  const m = /^\/files-pri\/[A-Z0-9]+-(F[A-Z0-9]+)\/[^/]+$/.exec(path);
  const file = m ? ws.files.get(m[1] as string) : undefined;
  const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer !== botToken) {
    sendText(res, 403, 'forbidden');
  } else if (!file?.completed || !file.bytes) {
    sendText(res, 404, 'not found');
  } else {
    res.writeHead(200, {
      'content-type': typeOf(file.filename)[0],
      'content-length': String(file.bytes.length),
    });
    res.end(file.bytes);
  }
}
