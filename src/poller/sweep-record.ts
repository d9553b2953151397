import type { Transition } from '../store/job-status.ts';
import type { KnownState } from './pending-jobs.ts';
import type { Observation, SweepContext, SweepReport } from './sweep-report.ts';
import { attribute, audience, type JobSnapshot, snapshotOf } from './transitions.ts';

/** Records what a page (or a batch of reads) showed and queues any change it recorded. */
export async function observeAndHandOn(
  ctx: SweepContext,
  seen: Observation[],
  report: SweepReport,
): Promise<void> {
  const before = report.transitions;
  await observeAll(ctx, seen, report);
  if (report.transitions > before) report.enqueued += await drainOutbox(ctx);
}

/**
 * Records what some reads showed: first sights silently (together, in one round trip), and
 * each change by compare-and-set, one after another, with the actors read beforehand.
 */
export async function observeAll(
  ctx: SweepContext,
  seen: Observation[],
  report: SweepReport,
): Promise<void> {
  const { statuses } = ctx.deps;
  const now = ctx.now();
  const firsts = seen.filter((o) => !o.prev);
  const changes = seen.filter(
    (o): o is Observation & { prev: KnownState } =>
      o.prev !== undefined && o.prev.status !== o.job.status,
  );
  // One atomic step for the lot: a page of first sights is one round trip, not a hundred.
  const recorded = await statuses.recordFirstSights(
    firsts.map(({ job }) => ({
      jobId: job.id,
      status: job.status,
      createdAt: job.created_at ?? 0,
      now,
    })),
  );
  report.firstSights += recorded.filter(Boolean).length;
  if (changes.length === 0) return;
  const actors = await Promise.all(changes.map((o) => ctx.deps.actorOf(o.job.id)));
  for (const [k, { job, prev }] of changes.entries()) {
    const by = attribute({ from: prev.status, to: job.status, prev, actor: actors[k] ?? null });
    const seq = await statuses.compareAndSet({
      jobId: job.id,
      expected: prev.status,
      next: job.status,
      now,
      by,
      job: { ...snapshotOf(job) },
    });
    if (seq > 0) {
      report.transitions++;
      await ctx.deps.onTransitionRecorded?.(job.id, seq);
    }
  }
}

/** Hands every recorded transition to the notify queue, then removes it from the outbox. */
export async function drainOutbox(ctx: SweepContext): Promise<number> {
  const { statuses, subscriptions, notify } = ctx.deps;
  let n = 0;
  for (const t of await statuses.pendingTransitions()) {
    const mayHear = ctx.deps.mayHear ?? (() => true);
    const watchers = audience(await subscriptions.watchersOf(t.jobId), t.to).filter((w) =>
      mayHear(w.channel, t.jobId),
    );
    await notify.enqueue(
      t as unknown as Transition<JobSnapshot>,
      watchers.map((w) => w.channel),
    );
    await statuses.ackTransition(t.jobId, t.seq);
    n++;
  }
  return n;
}
