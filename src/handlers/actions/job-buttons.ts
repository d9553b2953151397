import type { App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { errorText } from '../../util/error-text.ts';
import {
  CANCEL_JOB,
  CHART_JOB,
  PAUSE_JOB,
  PICK_RESOURCE,
  REFRESH_JOB,
  RESUME_JOB,
  UNWATCH_JOB,
  WATCH_JOB,
} from '../../views/action-ids.ts';
import { errorView } from '../../views/errors.ts';
import { reasonModal } from '../../views/reason-modal.ts';
import type { MessageView } from '../../views/types.ts';
import {
  DEFAULT_RESOURCE,
  isResourceName,
  isValidJobKey,
  splitJobKey,
  type Verb,
} from '../../vocabulary/index.ts';
import { admitJob } from '../access.ts';
import { chartJob } from '../commands/chart.ts';
import { jobStatus, mutateJob, runCommand, unwatchJob, watchJob } from '../commands/index.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { replyForError } from '../reply.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & {
  context: Record<string, unknown>;
  client: App['client'];
};

/** How long the modal waits for the job's state: `views.open` must come within 3 s of the click. */
const MODAL_JOB_READ_MS = 1_500;

/**
 * Job card buttons. The button's value names a job and nothing more: each click runs exactly
 * the checks the typed command would, for the user who clicked (from the signed payload).
 */
export function registerJobButtons(app: App, deps: HandlerDeps): void {
  app.action(
    REFRESH_JOB,
    withJob(deps, 'status', async (caller, jobId) => ({
      view: await jobStatus(deps, caller, jobId, 'Refreshed just now.'),
      replace: true,
    })),
  );
  app.action(
    CHART_JOB,
    withJob(deps, 'chart', async (caller, jobId, body) => {
      // A card posted in the channel gets the chart in its thread; a private one, beside it.
      const c = body.container;
      const threadTs =
        c && !c.is_ephemeral && typeof c.message_ts === 'string' ? c.message_ts : undefined;
      return { view: await chartJob(deps, caller, jobId, threadTs), replace: false };
    }),
  );
  app.action(
    WATCH_JOB,
    withJob(deps, 'watch', async (caller, jobId) => ({
      view: await watchJob(deps, caller, { jobId, only: null }),
      replace: false,
    })),
  );
  app.action(
    UNWATCH_JOB,
    withJob(deps, 'unwatch', async (caller, jobId) => ({
      view: await unwatchJob(deps, caller, jobId),
      replace: false,
    })),
  );
  app.action(
    RESUME_JOB,
    withJob(deps, 'resume', async (caller, jobId) => ({
      view: await mutateJob(deps, caller, { verb: 'resume', jobId, reason: null, dryRun: false }),
      replace: false,
    })),
  );
  app.action(PAUSE_JOB, openReasonModal(deps, 'pause'));
  app.action(CANCEL_JOB, openReasonModal(deps, 'cancel'));
  app.action(new RegExp(`^${PICK_RESOURCE.replaceAll('.', '\\.')}\\.`), pickResource(deps));
}

/**
 * "Which resource?" after a bare ID matched several: the command runs again from the top for
 * the clicker, the bare ID taken as that resource's job, and every rule checked anew.
 */
function pickResource(deps: HandlerDeps) {
  return async ({ ack, body, action, respond, context }: ButtonArgs) => {
    await ack();
    const caller = callerOf(body, context);
    const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
    let view: MessageView;
    const picked = parsePick(action.value ?? '');
    if (!picked) {
      view = errorView('That button does not name a resource; nothing was done.');
    } else {
      try {
        view = (await runCommand(deps, caller, picked.t, picked.r)).view;
      } catch (err) {
        view = replyForError(err, caller.correlationId, log);
      }
    }
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: view.text,
      blocks: view.blocks,
    }).catch((err: unknown) => log.warn({ err: errorText(err) }, 'could not answer a click'));
  };
}

function parsePick(value: string): { t: string; r: string } | null {
  try {
    const v = JSON.parse(value) as unknown;
    if (typeof v !== 'object' || v === null) return null;
    const { t, r } = v as Record<string, unknown>;
    return typeof t === 'string' && typeof r === 'string' && isResourceName(r) ? { t, r } : null;
  } catch {
    return null;
  }
}

/** Acks, validates the job ID from the button, runs `work`, and answers the clicker. */
function withJob(
  deps: HandlerDeps,
  verb: Verb,
  work: (
    caller: Caller,
    jobId: string,
    body: BlockButtonAction,
  ) => Promise<{ view: MessageView; replace: boolean }>,
) {
  return async ({ ack, body, action, respond, context }: ButtonArgs) => {
    await ack();
    const caller = callerOf(body, context);
    const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
    let out: { view: MessageView; replace: boolean };
    if (!isValidJobKey(action.value ?? '')) {
      out = {
        view: errorView('That button does not name a valid job; nothing was done.'),
        replace: false,
      };
    } else {
      try {
        out = await work(caller, await admitJob(deps, caller, verb, action.value as string), body);
      } catch (err) {
        out = { view: replyForError(err, caller.correlationId, log), replace: false };
      }
    }
    try {
      await respond({
        response_type: 'ephemeral',
        replace_original: out.replace,
        text: out.view.text,
        blocks: out.view.blocks,
      });
    } catch (err) {
      log.warn({ err: errorText(err) }, 'could not answer a click');
    }
  };
}

/** Pause and Cancel ask why first: a modal whose metadata is an opaque server-side reference. */
function openReasonModal(deps: HandlerDeps, action: 'pause' | 'cancel') {
  return async ({ ack, body, action: button, respond, context, client }: ButtonArgs) => {
    await ack();
    const caller = callerOf(body, context);
    const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
    const value = button.value ?? '';
    try {
      if (!isValidJobKey(value))
        throw new UserFacing('That button does not name a valid job; nothing was done.');
      const jobId = await admitJob(deps, caller, action, value);
      if (typeof body.trigger_id !== 'string' || body.trigger_id === '')
        throw new UserFacing(
          'Slack sent this click without what is needed to open the form; nothing was done.',
        );
      const signal = AbortSignal.timeout(MODAL_JOB_READ_MS);
      const job = await deps.api
        .getJob(jobId, { signal })
        .catch(() => ({ id: jobId, status: 'unknown' }) as never);
      const ref = await deps.approvals.createModalRef({
        action,
        jobId,
        user: caller.userId,
        channel: caller.channelId,
      });
      const resource = splitJobKey(jobId)?.resource ?? DEFAULT_RESOURCE;
      const gated = deps.resources.approvalOf(resource).gatedActions.includes(action);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: reasonModal({ ref, action, job, needsApproval: gated, now: deps.clock() }),
      });
    } catch (err) {
      const view =
        err instanceof UserFacing
          ? errorView(err.message)
          : replyForError(err, caller.correlationId, log);
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: view.text,
        blocks: view.blocks,
      }).catch(() => {});
    }
  };
}

class UserFacing extends Error {}

/** The clicker and the channel come from the signed payload, never from a button value. */
export function callerOf(body: BlockButtonAction, context: Record<string, unknown>): Caller {
  // A payload is signed by Slack but typed by nobody: anything not a string is no ID at all.
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    userId: text(body.user?.id),
    channelId: text(body.channel?.id) || text(body.container?.channel_id),
    correlationId: String(context.correlationId ?? 'socket'),
  };
}
