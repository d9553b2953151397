import { type Args, str } from './args.ts';
import { type Fail, fileObject, type SlackFile } from './file-objects.ts';
import { SLACK_WORKSPACE, type SlackChannel } from './fixtures.ts';
import type { Workspace } from './state.ts';

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
