import type { App } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import { REASON_MODAL } from '../../views/action-ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';
import { answerSubmitter, type SubmitArgs, submittedReason, submitter } from './submission.ts';

/**
 * The reason modal's submit. Its `private_metadata` is an opaque reference; what it stands
 * for (action, job, channel) is read back from Redis and must belong to the submitting user.
 */
export function registerReasonModal(app: App, deps: HandlerDeps): void {
  app.view(REASON_MODAL, async (args: SubmitArgs) => {
    await args.ack();
    const { user, log } = submitter(deps, args);
    const ref = await deps.approvals
      .resolveModalRef(args.view.private_metadata ?? '', user)
      .catch((err: unknown) => {
        log.warn({ err: errorText(err) }, 'modal reference lookup failed');
        return null;
      });
    if (!ref) {
      // Nothing to tell the user where: without the reference we do not know the channel.
      log.warn('reason modal submitted with an unknown, used or foreign reference; ignored');
      return;
    }
    let view: { text: string; blocks?: unknown[] };
    try {
      const result = await deps.approvals.request({
        action: ref.action,
        jobId: ref.jobId,
        requester: user,
        channel: ref.channel,
        reason: submittedReason(args.view),
      });
      view = result.ephemeral;
    } catch (err) {
      view = replyForError(err, String(args.context.correlationId ?? 'socket'), log);
    }
    await answerSubmitter(args, { channel: ref.channel, user, log }, view);
  });
}
