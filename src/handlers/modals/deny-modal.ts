import type { App } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import { DENY_MODAL } from '../../views/action-ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';
import { answerSubmitter, type SubmitArgs, submittedReason, submitter } from './submission.ts';

/**
 * The deny modal's submit: the reference names the request and the approver who opened it;
 * the Deny is then counted like a click, with the role and the request checked again.
 */
export function registerDenyModal(app: App, deps: HandlerDeps): void {
  app.view(DENY_MODAL, async (args: SubmitArgs) => {
    await args.ack();
    const { user, log } = submitter(deps, args);
    const ref = await deps.approvals
      .resolveDenyRef(args.view.private_metadata ?? '', user)
      .catch((err: unknown) => {
        log.warn({ err: errorText(err) }, 'modal reference lookup failed');
        return null;
      });
    if (!ref) {
      log.warn('deny modal submitted with an unknown, used or foreign reference; ignored');
      return;
    }
    let view: { text: string; blocks?: unknown[] };
    try {
      const result = await deps.approvals.click({
        requestId: ref.requestId,
        clicker: user,
        vote: 'deny',
        reason: submittedReason(args.view),
      });
      view = result.ephemeral;
    } catch (err) {
      view = replyForError(err, String(args.context.correlationId ?? 'socket'), log);
    }
    await answerSubmitter(args, { channel: ref.channel, user, log }, view);
  });
}
