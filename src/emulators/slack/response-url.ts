import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './args.ts';
import { validateBlocks } from './blocks.ts';
import { SLACK_WORKSPACE } from './fixtures.ts';
import { sendJson } from './reply.ts';
import type { ResponseTarget, Workspace } from './state.ts';
import type { SlackResponse } from './types.ts';

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

/**
 * `POST` to a response_url: unknown and used-up URLs get Slack's 404s, bad blocks a 400, and a
 * good body is recorded in `responses` and reflected into the channel.
 */
export async function handleResponseUrl(
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
  state: { ws: Workspace; responses: SlackResponse[] },
): Promise<void> {
  const target = state.ws.responseTargets.get(url);
  const raw = await readBody(req);
  if (!target) return sendJson(res, 404, { ok: false, error: 'no_such_url' });
  if (target.uses >= RESPONSE_URL_MAX_USES)
    return sendJson(res, 404, { ok: false, error: 'used_url' });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
  }
  if (body.blocks !== undefined) {
    const check = validateBlocks(body.blocks, 'message');
    if (!check.ok)
      return sendJson(res, 400, { ok: false, error: check.error, messages: check.messages });
  }
  target.uses += 1;
  const entry = { url, body, at: Date.now() };
  state.responses.push(entry);
  state.ws.events.emit('response', entry);
  applyResponse(state.ws, target, body);
  sendJson(res, 200, { ok: true });
}
