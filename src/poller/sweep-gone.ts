import { GONE } from '../api/schemas.ts';
import type { KnownState } from './pending-jobs.ts';
import type { SweepContext, SweepReport } from './sweep-report.ts';

/** Whether the API answered a read this sweep, or answers a one-job listing now. */
export async function apiAnswers(ctx: SweepContext, report: SweepReport): Promise<boolean> {
  if (report.pages > 0 || report.singleReads > 0) return true;
  try {
    await ctx.deps.client.listJobs({ limit: 1 });
    return true;
  } catch {
    return false;
  }
}

/** Records a job the API no longer knows as gone, so its channels hear it once. */
export async function markGone(
  ctx: SweepContext,
  jobId: string,
  state: KnownState | undefined,
  report: SweepReport,
): Promise<void> {
  report.gone.push(jobId);
  ctx.deps.logger?.info({ jobId }, 'a watched job is gone (404); its watches are dropped');
  // Never seen before (watched, then deleted before the first sweep): nothing to announce.
  if (!state) return;
  const seq = await ctx.deps.statuses.compareAndSet({
    jobId,
    expected: state.status,
    next: GONE,
    now: ctx.now(),
    by: null,
    job: { id: jobId, status: GONE },
  });
  if (seq > 0) report.transitions++;
}

/** Drops a gone (or retired) job's watches and its status. */
export async function dropGone(ctx: SweepContext, jobId: string): Promise<void> {
  const { subscriptions, statuses } = ctx.deps;
  for (const w of await subscriptions.watchersOf(jobId))
    await subscriptions.unwatch(w.channel, jobId);
  await statuses.forget(jobId);
}
