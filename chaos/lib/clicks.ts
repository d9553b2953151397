// Clicking a button of a message the bot posted, as Slack would send the click: used wherever a
// campaign approves, denies or pages through something.
import { buttonsOf } from '../../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  viewSubmissionBody,
  viewSubmissionPayload,
} from '../../src/emulators/slack-signing.ts';
import {
  APPROVE_REQUEST,
  DENY_MODAL,
  DENY_REQUEST,
  REASON_BLOCK,
  REASON_INPUT,
} from '../../src/views/action-ids.ts';
import type { BotProcess } from './bot-process.ts';
import { waitUntil } from './campaign.ts';
import { type Answer, APPROVALS, TRAINING, type World } from './world.ts';

/** Where a button is: its message and what the click carries. */
export interface MessageButton {
  ts: string;
  value: string;
  blockId: string;
}

/** The Approve button of the first request message (in #approvals, else #ml-training) matching. */
export function approveButton(
  world: World,
  matches: (text: string) => boolean = () => true,
): MessageButton | undefined {
  for (const channel of [APPROVALS, TRAINING]) {
    for (const m of world.slack.messages.get(channel) ?? []) {
      if (!matches(m.text)) continue;
      const b = buttonsOf(m.blocks).find((x) => x.actionId === APPROVE_REQUEST);
      if (b) return { ts: m.ts, value: b.value, blockId: b.blockId };
    }
  }
  return undefined;
}

/** A signed click of `button` by `user`; `url` is the response_url its answer goes to. */
export async function clickButton(
  world: World,
  bot: BotProcess,
  click: { user: string; actionId: string; button: MessageButton; channel?: string },
): Promise<{ url: string; ack: Answer }> {
  const channel = click.channel ?? APPROVALS;
  const url = world.slack.responseUrl(channel, click.user, click.button.ts);
  const ack = await world.signed(
    bot,
    blockActionsBody(
      blockActionsPayload({
        user: click.user,
        channel,
        actionId: click.actionId,
        value: click.button.value,
        blockId: click.button.blockId,
        responseUrl: url,
        message: { ts: click.button.ts },
      }),
    ),
  );
  return { url, ack };
}

/**
 * Deny as an approver does it: the Deny click, then the reason modal it opens, submitted with
 * `reason` (may be empty). Resolves with the submission's ack, or null when no modal opened.
 */
export async function denyWithReason(
  world: World,
  bot: BotProcess,
  deny: { user: string; button: MessageButton; reason: string; channel?: string },
): Promise<Answer | null> {
  const opened = world.slack.callsTo('views.open').length;
  const { ack } = await clickButton(world, bot, { ...deny, actionId: DENY_REQUEST });
  if (ack.status !== 200) return null;
  if (!(await waitUntil(() => world.slack.callsTo('views.open').length > opened, 15_000)))
    return null;
  const view = world.slack.callsTo('views.open')[opened]?.args.view as
    | { callback_id?: string; private_metadata?: string }
    | undefined;
  if (view?.callback_id !== DENY_MODAL) return null;
  return world.signed(
    bot,
    viewSubmissionBody(
      viewSubmissionPayload({
        user: deny.user,
        callbackId: DENY_MODAL,
        privateMetadata: view.private_metadata ?? '',
        values: {
          [REASON_BLOCK]: { [REASON_INPUT]: { type: 'plain_text_input', value: deny.reason } },
        },
      }),
    ),
  );
}
