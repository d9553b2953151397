import { SLACK_WORKSPACE } from './fixtures.ts';
import type { ResponseTarget, Workspace } from './state.ts';

/** How many times Slack lets an app use one response_url. */
export const RESPONSE_URL_MAX_USES = 5;

const truthy = (v: unknown) => v === true || v === 'true';

/**
 * Reflects a body POSTed to a response_url into the channel it was issued for: deletes or
 * replaces the message it came from (`delete_original`, `replace_original`), or adds an
 * ephemeral (the default `response_type`) or in-channel message.
 */
export function applyResponse(
  ws: Workspace,
  target: ResponseTarget,
  body: Record<string, unknown>,
): void {
  const { channel, messageTs, user } = target;
  if (channel === undefined) return;
  const original = messageTs === undefined ? undefined : ws.findMessage(channel, messageTs);
  if (truthy(body.delete_original)) {
    if (original) ws.deleteMessage(channel, original.ts);
    return;
  }
  const text = typeof body.text === 'string' ? body.text : '';
  const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : undefined;
  if (truthy(body.replace_original) && original) {
    ws.updateMessage(channel, original, { text, blocks: blocks ?? [] });
    return;
  }
  const inChannel = body.response_type === 'in_channel';
  ws.addMessage(channel, {
    text,
    blocks,
    thread_ts: typeof body.thread_ts === 'string' ? body.thread_ts : undefined,
    user: SLACK_WORKSPACE.botUserId,
    bot_id: SLACK_WORKSPACE.botId,
    ephemeral: inChannel ? undefined : true,
    visibleTo: inChannel ? undefined : user,
  });
}
