import type { SlackMessage } from '../../src/emulators/slack/index.ts';
import { buttonsOf, type PostedButton } from '../../src/emulators/slack/inspect.ts';
import {
  type BlockActionsInput,
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
} from '../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import { waitUntil } from './campaign.ts';
import { APPROVALS, TRAINING, type World } from './world.ts';

/**
 * The gated pause as the approval campaigns drive it: a requester's `/ft pause` in the
 * training channel, the request the bot posts to #approvals, and a click on its Approve button.
 */

/** `/ft pause <job> <reason>` from `user` in the training channel, answered at `responseUrl`. */
export function pauseCommand(jobId: string, reason: string, user: string, responseUrl: string) {
  return slashCommandBody({
    text: `pause ${jobId} ${reason}`,
    user_id: user,
    channel_id: TRAINING,
    response_url: responseUrl,
  });
}

/** The approval request posted for `jobId` (top level, with blocks), once it is there. */
export async function approvalMessage(
  world: World,
  jobId: string,
  timeoutMs: number,
  everyMs: number,
): Promise<SlackMessage | undefined> {
  let message: SlackMessage | undefined;
  await waitUntil(
    () => {
      message = (world.slack.messages.get(APPROVALS) ?? []).find(
        (m) => !m.ephemeral && !m.thread_ts && m.text.includes(jobId) && Array.isArray(m.blocks),
      );
      return message !== undefined;
    },
    timeoutMs,
    everyMs,
  );
  return message;
}

export function approveButton(message: SlackMessage | undefined): PostedButton | undefined {
  return buttonsOf(message?.blocks).find((b) => b.actionId === APPROVE_REQUEST);
}

/** A click by `user` on `button` of a message in #approvals. */
export function approveClick(
  user: string,
  button: PostedButton,
  responseUrl: string,
  message: BlockActionsInput['message'],
  buttonText?: string,
): string {
  return blockActionsBody(
    blockActionsPayload({
      user,
      channel: APPROVALS,
      actionId: button.actionId,
      value: button.value,
      blockId: button.blockId,
      responseUrl,
      ...(buttonText ? { buttonText } : {}),
      ...(message ? { message } : {}),
    }),
  );
}

/** The replies in a request's thread that everyone sees. */
export function threadReplies(world: World, ts: string): SlackMessage[] {
  return (world.slack.messages.get(APPROVALS) ?? []).filter(
    (m) => m.thread_ts === ts && !m.ephemeral,
  );
}

/** Edited to show the decision, with no buttons left to click. */
export function requestClosed(world: World, ts: string): boolean {
  const after = (world.slack.messages.get(APPROVALS) ?? []).find((m) => m.ts === ts);
  return Boolean(after?.edited) && buttonsOf(after?.blocks).length === 0;
}
