import type { App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import type { HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';
import { runCommand } from './run-command.ts';

/** The one slash command ftops registers; `manifest.yml` declares the same name. */
export const SLASH_COMMAND = '/ft';

/** Registers every slash command listener. */
export function registerCommands(app: App, deps: HandlerDeps): void {
  app.command(SLASH_COMMAND, handleFtCommand(deps));
}

/**
 * `/ft …`: acknowledges at once with nothing, then does the work and answers through the
 * response_url, so a slow fine-tuning API can never make Slack show a timeout.
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
    let view: Awaited<ReturnType<typeof runCommand>>['view'];
    try {
      const result = await runCommand(deps, caller, command.text ?? '');
      deps.onCommand?.(result.verb, result.userError ? 'user_error' : 'ok');
      log.info({ verb: result.verb, userError: result.userError }, 'handled /ft');
      view = result.view;
    } catch (err) {
      deps.onCommand?.('unknown', 'error');
      view = replyForError(err, caller.correlationId, log);
    }
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
