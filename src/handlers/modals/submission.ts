import type { App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { errorText } from '../../util/error-text.ts';
import { REASON_BLOCK, REASON_INPUT } from '../../views/action-ids.ts';
import type { HandlerDeps } from '../deps.ts';

/** What Bolt hands a modal's submit listener. */
export type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & {
  context: Record<string, unknown>;
  client: App['client'];
};

/** Who submitted, and a logger that names them and the delivery. */
export function submitter(deps: HandlerDeps, args: SubmitArgs): { user: string; log: Logger } {
  const user = typeof args.body.user?.id === 'string' ? args.body.user.id : '';
  const correlationId = String(args.context.correlationId ?? 'socket');
  return { user, log: deps.logger.child({ correlationId, user }) };
}

/** The typed reason. Only a string is a reason: a payload with anything else gets none. */
export function submittedReason(view: SubmitArgs['view']): string {
  const typed: unknown = view.state?.values?.[REASON_BLOCK]?.[REASON_INPUT]?.value;
  return typeof typed === 'string' ? typed : '';
}

/** The submitter's private answer in `channel`; a failure to post is logged, not thrown. */
export async function answerSubmitter(
  args: SubmitArgs,
  to: { channel: string; user: string; log: Logger },
  view: { text: string; blocks?: unknown[] },
): Promise<void> {
  await args.client.chat
    .postEphemeral({
      channel: to.channel,
      user: to.user,
      text: view.text,
      ...(view.blocks ? { blocks: view.blocks as never } : {}),
    })
    .catch((err: unknown) => to.log.warn({ err: errorText(err) }, 'could not tell the requester'));
}
