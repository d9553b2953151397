import { type FineTuningJob, isTerminal } from '../../api/schemas.ts';
import { WATCH_ALL } from '../../store/subscriptions.ts';
import { errorText } from '../../util/error-text.ts';
import { sectionBlock } from '../../views/blocks.ts';
import { jobCard } from '../../views/job-card.ts';
import { code, md } from '../../views/mrkdwn.ts';
import { statusPhrase } from '../../views/status.ts';
import type { MessageView } from '../../views/types.ts';
import {
  finishedJobNote,
  type WatchOutcome,
  watchAllView,
  watchingView,
  watchJobNote,
} from '../../views/watching.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { readJob } from '../job-lookup.ts';
import { linkOf } from './job-reads.ts';

/** `/ft watch <job>|all [--only …]`: subscribes the channel; a job's reply shows its card. */
export async function watchJob(
  deps: HandlerDeps,
  caller: Caller,
  cmd: { jobId: string | null; only: string[] | null },
): Promise<MessageView> {
  if (cmd.jobId === null) {
    const outcome = await subscribe(deps, caller.channelId, WATCH_ALL, cmd.only);
    return watchAllView(outcome, cmd.only);
  }
  // Read first: watching a job that does not exist should say so, not subscribe silently.
  const job = await readJob(deps, cmd.jobId);
  if (isTerminal(job.status)) {
    return jobCard(job, {
      now: deps.clock(),
      note: finishedJobNote(statusPhrase(job.status)),
      actions: ['refresh'],
      ...linkOf(deps, job.id),
    });
  }
  const outcome = await subscribe(deps, caller.channelId, cmd.jobId, cmd.only);
  await recordBaseline(deps, job);
  return jobCard(job, {
    now: deps.clock(),
    watching: true,
    note: watchJobNote(outcome, cmd.only),
    actions: ['refresh', 'unwatch'],
    ...linkOf(deps, job.id),
  });
}

/** Watches `target` unless the channel already watches it with the same filter. */
async function subscribe(
  deps: HandlerDeps,
  channel: string,
  target: string,
  only: string[] | null,
): Promise<WatchOutcome> {
  const existing = (await deps.subscriptions.list(channel)).find((s) => s.target === target);
  const same = (a: readonly string[] | undefined) =>
    [...new Set(a ?? [])].sort().join(',') === [...new Set(only ?? [])].sort().join(',');
  if (existing && same(existing.only)) return 'unchanged';
  await deps.subscriptions.watch(channel, target, only ? { only } : {});
  return existing ? 'changed' : 'added';
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
  const what = jobId === null ? md`all jobs` : code(jobId);
  const text = removed
    ? md`🔕 This channel no longer watches ${what}.`
    : md`This channel was not watching ${what}; nothing changed. \`/ft watching\` lists what it watches.`;
  return { text, blocks: [sectionBlock(text)] };
}

/** `/ft watching`: the channel's subscriptions. */
export async function listWatching(deps: HandlerDeps, caller: Caller): Promise<MessageView> {
  const subs = await deps.subscriptions.list(caller.channelId);
  return watchingView(
    subs.map((s) => ({ jobId: s.target === WATCH_ALL ? null : s.target, only: s.only ?? null })),
  );
}
