import type { App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { errorText } from '../../util/error-text.ts';
import { REASON_BLOCK, REASON_INPUT } from '../../views/action-ids.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';

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
  view: AnswerView,
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

/**
 * The submit of a modal whose `private_metadata` is an opaque server-side reference: acked at
 * once, the reference taken back for the submitter (unknown, used or foreign ones are ignored
 * with one log line, since without them nobody knows where to answer), the work done, and the
 * submitter answered privately in the channel the reference names.
 */
export function registerReferencedModal<Ref extends { channel: string }>(
  app: App,
  deps: HandlerDeps,
  modal: {
    callbackId: string;
    /** Names the modal in the log line for an unusable reference. */
    name: string;
    resolve: (ref: string, user: string) => Promise<Ref | null>;
    /** `caller` is the submitter in the channel the reference names. */
    act: (ref: Ref, caller: Caller, reason: string) => Promise<{ ephemeral: AnswerView }>;
  },
): void {
  app.view(modal.callbackId, async (args: SubmitArgs) => {
    await args.ack();
    const { user, log } = submitter(deps, args);
    const ref = await modal
      .resolve(args.view.private_metadata ?? '', user)
      .catch((err: unknown) => {
        log.warn({ err: errorText(err) }, 'modal reference lookup failed');
        return null;
      });
    if (!ref) {
      log.warn(`${modal.name} submitted with an unknown, used or foreign reference; ignored`);
      return;
    }
    const correlationId = String(args.context.correlationId ?? 'socket');
    const caller: Caller = { userId: user, channelId: ref.channel, correlationId };
    let view: AnswerView;
    try {
      view = (await modal.act(ref, caller, submittedReason(args.view))).ephemeral;
    } catch (err) {
      view = replyForError(err, correlationId, log);
    }
    await answerSubmitter(args, { channel: ref.channel, user, log }, view);
  });
}

type AnswerView = { text: string; blocks?: unknown[] };
