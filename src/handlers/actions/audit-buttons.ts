import type { App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import { AUDIT_OLDER } from '../../views/action-ids.ts';
import { errorView } from '../../views/errors.ts';
import type { MessageView } from '../../views/types.ts';
import { isValidJobKey } from '../../vocabulary/index.ts';
import { admit, admitJob } from '../access.ts';
import { auditLog } from '../commands/index.ts';
import type { HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';
import { callerOf } from './job-buttons.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & {
  context: Record<string, unknown>;
};

/** A stream entry ID as Redis makes them: `<ms>-<seq>`. */
const STREAM_ID = /^\d{1,16}-\d{1,10}$/;

/**
 * "Older entries" under `/ft audit`: the next page, with the same approver check as the
 * command. The button's value is only a position in the log; whoever clicks is checked anew.
 */
export function registerAuditButtons(app: App, deps: HandlerDeps): void {
  app.action(AUDIT_OLDER, async ({ ack, body, action, respond, context }: ButtonArgs) => {
    await ack();
    const caller = callerOf(body, context);
    const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
    const [jobId = '', before = ''] = (action.value ?? '').split('|');
    let view: MessageView;
    if ((jobId !== '' && !isValidJobKey(jobId)) || !STREAM_ID.test(before)) {
      view = errorView('That button does not name a place in the audit log; nothing was shown.');
    } else {
      try {
        view = jobId
          ? await auditLog(
              deps,
              caller,
              await admitJob(deps, caller, 'audit', jobId),
              undefined,
              before,
            )
          : await auditLog(deps, caller, null, await admit(deps, caller, 'audit'), before);
      } catch (err) {
        view = replyForError(err, caller.correlationId, log);
      }
    }
    try {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: view.text,
        blocks: view.blocks,
      });
    } catch (err) {
      log.warn({ err: errorText(err) }, 'could not answer a click');
    }
  });
}
