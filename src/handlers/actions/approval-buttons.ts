import type { App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import { APPROVE_REQUEST, DENY_REQUEST } from '../../views/action-ids.ts';
import { denyModal } from '../../views/deny-modal.ts';
import type { HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';
import { callerOf } from './job-buttons.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & {
  context: Record<string, unknown>;
  client: App['client'];
};

type Answer = { text: string; blocks?: unknown[] };

/**
 * Approve and Deny. The button's value is only the request ID; the service loads the request
 * from Redis and checks the clicker's role itself, so an edited payload gains nothing. Deny
 * first opens a modal asking why (optional), once the clicker is known to be allowed to deny.
 */
export function registerApprovalButtons(app: App, deps: HandlerDeps): void {
  app.action(APPROVE_REQUEST, async (args: ButtonArgs) => {
    await args.ack();
    const handoff = deps.handoff;
    if (handoff && typeof args.body.response_url === 'string') {
      const caller = callerOf(args.body, args.context);
      const work = {
        caller,
        requestId: args.action.value ?? '',
        responseUrl: args.body.response_url,
      };
      // Handed to a worker: the vote is counted and the clicker answered there.
      const failed = await handoff.approve(work).then(
        () => null,
        (err: unknown) => err,
      );
      if (failed === null) return;
      await answerClick(deps, args, () => Promise.reject(failed));
      return;
    }
    await answerClick(deps, args, (clicker) =>
      approveClick(deps, clicker, args.action.value ?? ''),
    );
  });
  app.action(DENY_REQUEST, async (args: ButtonArgs) => {
    await args.ack();
    await answerClick(deps, args, async (clicker, channel) => {
      const requestId = args.action.value ?? '';
      const trigger = args.body.trigger_id;
      // Without a trigger no modal can open: the Deny counts at once, without a reason.
      if (typeof trigger !== 'string' || trigger === '')
        return deps.approvals.click({ requestId, clicker, vote: 'deny' });
      const opened = await deps.approvals.openDeny({ requestId, clicker, channel });
      if (!opened.ok) return opened.result;
      await args.client.views.open({
        trigger_id: trigger,
        view: denyModal({ ref: opened.ref, request: opened.request }),
      });
      return null;
    });
  });
}

/** An Approve click's work: the service loads the request and checks the clicker's role. */
export function approveClick(deps: HandlerDeps, clicker: string, requestId: string) {
  return deps.approvals.click({ requestId, clicker, vote: 'approve' });
}

/** Runs the click's work and tells the clicker privately, unless a modal answered instead. */
async function answerClick(
  deps: HandlerDeps,
  { body, respond, context }: ButtonArgs,
  work: (clicker: string, channel: string) => Promise<{ ephemeral: Answer } | null>,
): Promise<void> {
  const caller = callerOf(body, context);
  const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
  let answer: Answer;
  try {
    const result = await work(caller.userId, caller.channelId);
    if (!result) return;
    answer = result.ephemeral;
  } catch (err) {
    answer = replyForError(err, caller.correlationId, log);
  }
  // The request message itself is updated by the service; this note is for the clicker only.
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    text: answer.text,
    ...(answer.blocks ? { blocks: answer.blocks as never } : {}),
  }).catch((err: unknown) => log.warn({ err: errorText(err) }, 'could not answer a click'));
}
