import type { FineTuningJob } from '../../api/schemas.ts';
import { WATCH_ALL } from '../../store/subscriptions.ts';
import { errorText } from '../../util/error-text.ts';
import { jobCard } from '../../views/job-card.ts';
import { code } from '../../views/mrkdwn.ts';
import type { MessageView } from '../../views/types.ts';
import { watchingView } from '../../views/watching.ts';
import type { Caller, HandlerDeps } from '../deps.ts';

/** `/ft watch <job>|all [--only …]`: subscribes the channel; a job's reply shows its card. */
export async function watchJob(
  deps: HandlerDeps,
  caller: Caller,
  cmd: { jobId: string | null; only: string[] | null },
): Promise<MessageView> {
  const only = cmd.only ? { only: cmd.only } : {};
  const filter = cmd.only ? ` (only ${cmd.only.map(code).join(', ')})` : '';
  if (cmd.jobId === null) {
    await deps.subscriptions.watch(caller.channelId, WATCH_ALL, only);
    const text = `👀 This channel now hears about status changes of *every* fine-tuning job, new ones included${filter}.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  // Read first: watching a job that does not exist should say so, not subscribe silently.
  const job = await deps.api.getJob(cmd.jobId);
  await deps.subscriptions.watch(caller.channelId, cmd.jobId, only);
  await recordBaseline(deps, job);
  return jobCard(job, {
    now: deps.clock(),
    watching: true,
    note: `This channel will hear about every status change of this job${filter ? ' (filtered)' : ''}.`,
    actions: ['refresh', 'unwatch'],
  });
}

/**
 * Notes the status just read as the poller's baseline (only when it has none), so the first
 * change after `watch` is announced. Best effort: the subscription already stands.
 */
async function recordBaseline(deps: HandlerDeps, job: FineTuningJob): Promise<void> {
  try {
    await deps.statuses?.recordFirstSight({
      jobId: job.id,
      status: job.status,
      createdAt: job.created_at ?? 0,
      now: deps.clock(),
    });
  } catch (err) {
    deps.logger.warn(
      { err: errorText(err), jobId: job.id },
      'could not record the baseline status of a watched job',
    );
  }
}

/** `/ft unwatch <job>|all`. */
export async function unwatchJob(
  deps: HandlerDeps,
  caller: Caller,
  jobId: string | null,
): Promise<MessageView> {
  const removed = await deps.subscriptions.unwatch(caller.channelId, jobId ?? WATCH_ALL);
  const what = jobId === null ? 'all jobs' : code(jobId);
  const text = removed
    ? `🔕 This channel no longer watches ${what}.`
    : `This channel was not watching ${what}; nothing changed. \`/ft watching\` lists what it watches.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** `/ft watching`: the channel's subscriptions. */
export async function listWatching(deps: HandlerDeps, caller: Caller): Promise<MessageView> {
  const subs = await deps.subscriptions.list(caller.channelId);
  return watchingView(
    subs.map((s) => ({ jobId: s.target === WATCH_ALL ? null : s.target, only: s.only ?? null })),
  );
}
