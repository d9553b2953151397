import type { types } from '@slack/bolt';
import type { Mrkdwn } from './mrkdwn.ts';

/** A Block Kit block of a kind Slack knows (re-exported from @slack/types via Bolt). */
export type KnownBlock = types.KnownBlock;
/** A Block Kit button element. */
export type Button = types.Button;
/** A `views.open` modal. */
export type ModalView = types.ModalView;

/** What every message view returns: blocks plus the plain fallback Slack shows in notifications. */
export interface MessageView {
  /** Fallback and notification text; mrkdwn-escaped, because Slack parses it for mentions. */
  text: Mrkdwn;
  blocks: KnownBlock[];
}

/** A message view whose blocks may be left out: a plain reply, or a body a sender passes on. */
export type MessageBody = Omit<MessageView, 'blocks'> & { blocks?: MessageView['blocks'] };
