import type { App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import { APPROVE_REQUEST, DENY_REQUEST } from '../../views/action-ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';
import { callerOf } from './job-buttons.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & {
  context: Record<string, unknown>;
};

/**
 * Approve and Deny. The button's value is only the request ID; the service loads the request
 * from Redis and checks the clicker's role itself, so an edited payload gains nothing.
 */
export function registerApprovalButtons(app: App, deps: HandlerDeps): void {
  app.action(APPROVE_REQUEST, decide(deps, 'approve'));
  app.action(DENY_REQUEST, decide(deps, 'deny'));
}

function decide(deps: HandlerDeps, vote: 'approve' | 'deny') {
  return async ({ ack, body, action, respond, context }: ButtonArgs) => {
    await ack();
    const caller = callerOf(body, context);
    const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
    let text: string;
    let blocks: unknown[] | undefined;
    try {
      const result = await deps.approvals.click({
        requestId: action.value ?? '',
        clicker: caller.userId,
        vote,
      });
      ({ text, blocks } = result.ephemeral);
    } catch (err) {
      ({ text, blocks } = replyForError(err, caller.correlationId, log));
    }
    // The request message itself is updated by the service; this note is for the clicker only.
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text,
      ...(blocks ? { blocks: blocks as never } : {}),
    }).catch((err: unknown) => log.warn({ err: errorText(err) }, 'could not answer a click'));
  };
}
