import type { App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import type { MessageView } from '../../views/types.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';
import { runCommand } from './run-command.ts';

/** The one slash command ftops registers; `manifest.yml` declares the same name. */
export const SLASH_COMMAND = '/ft';

/** Registers every slash command listener. */
export function registerCommands(app: App, deps: HandlerDeps): void {
  app.command(SLASH_COMMAND, handleFtCommand(deps));
}

/**
 * What `/ft <text>` answers: the command's view, or the error's, with the metric and the log
 * line. The same wherever the command is worked on, in the process that acked it or in a
 * worker it was handed to.
 */
export async function answerCommand(
  deps: HandlerDeps,
  caller: Caller,
  text: string,
): Promise<MessageView> {
  const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
  try {
    const result = await runCommand(deps, caller, text);
    deps.onCommand?.(result.verb, result.userError ? 'user_error' : 'ok');
    log.info({ verb: result.verb, userError: result.userError }, 'handled /ft');
    return result.view;
  } catch (err) {
    deps.onCommand?.('unknown', 'error');
    return replyForError(err, caller.correlationId, log);
  }
}

/**
 * `/ft …`: acknowledges at once with nothing, then does the work and answers through the
 * response_url, so a slow fine-tuning API can never make Slack show a timeout. With a
 * handoff, the work is a worker's: this process only acks and enqueues.
 */
export function handleFtCommand(deps: HandlerDeps) {
  return async ({
    command,
    ack,
    respond,
    context,
  }: SlackCommandMiddlewareArgs & { context: Record<string, unknown> }) => {
    await ack();
    const caller = {
      userId: command.user_id,
      channelId: command.channel_id,
      correlationId: String(context.correlationId ?? 'socket'),
    };
    const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
    let view: MessageView;
    if (deps.handoff) {
      try {
        await deps.handoff.command({
          caller,
          text: command.text ?? '',
          responseUrl: command.response_url,
        });
        return;
      } catch (err) {
        view = replyForError(err, caller.correlationId, log);
      }
    } else view = await answerCommand(deps, caller, command.text ?? '');
    try {
      await respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks });
    } catch (err) {
      log.warn({ err: errorText(err) }, 'could not answer through response_url');
    }
  };
}

// What the job buttons share with the commands; the actions folder reaches it only here.
export { auditLog } from './about.ts';
export { jobStatus } from './job-reads.ts';
export { mutateJob } from './mutate.ts';
export { runCommand } from './run-command.ts';
export { unwatchJob, watchJob } from './watch.ts';
