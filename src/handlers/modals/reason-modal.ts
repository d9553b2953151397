import type { App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import { REASON_BLOCK, REASON_INPUT, REASON_MODAL } from '../../views/action-ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';

type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & {
  context: Record<string, unknown>;
  client: App['client'];
};

/**
 * The reason modal's submit. Its `private_metadata` is an opaque reference; what it stands
 * for (action, job, channel) is read back from Redis and must belong to the submitting user.
 */
export function registerReasonModal(app: App, deps: HandlerDeps): void {
  app.view(REASON_MODAL, async ({ ack, body, view, context, client }: SubmitArgs) => {
    await ack();
    const user = typeof body.user?.id === 'string' ? body.user.id : '';
    const correlationId = String(context.correlationId ?? 'socket');
    const log = deps.logger.child({ correlationId, user });
    const ref = await deps.approvals
      .resolveModalRef(view.private_metadata ?? '', user)
      .catch((err: unknown) => {
        log.warn({ err: errorText(err) }, 'modal reference lookup failed');
        return null;
      });
    if (!ref) {
      // Nothing to tell the user where: without the reference we do not know the channel.
      log.warn('reason modal submitted with an unknown, used or foreign reference; ignored');
      return;
    }
    // Only a string is a reason: a payload with anything else in its place gets none.
    const typed: unknown = view.state?.values?.[REASON_BLOCK]?.[REASON_INPUT]?.value;
    const reason = typeof typed === 'string' ? typed : '';
    let text: string;
    let blocks: unknown[] | undefined;
    try {
      const result = await deps.approvals.request({
        action: ref.action,
        jobId: ref.jobId,
        requester: user,
        channel: ref.channel,
        reason,
      });
      ({ text, blocks } = result.ephemeral);
    } catch (err) {
      ({ text, blocks } = replyForError(err, correlationId, log));
    }
    await client.chat
      .postEphemeral({
        channel: ref.channel,
        user,
        text,
        ...(blocks ? { blocks: blocks as never } : {}),
      })
      .catch((err: unknown) => log.warn({ err: errorText(err) }, 'could not tell the requester'));
  });
}
