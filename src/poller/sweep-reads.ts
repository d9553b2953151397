import { NotFoundError } from '../api/errors.ts';
import type { FineTuningJob } from '../api/schemas.ts';
import { indexOfSorted, type PendingJobs } from './pending-jobs.ts';
import { type PagedSoFar, shouldReadNextPageOf } from './sweep-plan.ts';
import { observeAndHandOn } from './sweep-record.ts';
import type { Observation, SweepContext, SweeperDeps, SweepReport } from './sweep-report.ts';

/** Single reads in flight at once: a few, so a sweep's tail is not one round trip per job. */
const SINGLE_READS_AT_ONCE = 4;

/**
 * Pages through the listing while that costs less than single reads (sweep-plan.ts). Each
 * page's changes are recorded and handed to the notify queue before the next page is read,
 * so the first announcements go out while the sweep is still paging.
 */
export async function readPages(
  ctx: SweepContext,
  pending: PendingJobs,
  ids: readonly string[],
  discover: boolean,
  report: SweepReport,
): Promise<void> {
  const paged: PagedSoFar = { count: 0, newest: 0, oldest: 0, hasMore: true };
  // Jobs first seen by this sweep's discovery: pages shift as jobs are created, so one may
  // be listed twice.
  const discovered = new Set<string>();
  let after: string | undefined;
  for (;;) {
    let page: Awaited<ReturnType<SweeperDeps['client']['listJobs']>>;
    try {
      page = await ctx.deps.client.listJobs({
        limit: ctx.pageSize,
        ...(after ? { after } : {}),
      });
    } catch (err) {
      // Listing failed even after the client's retries: leave the rest to the next sweep
      // rather than turn one struggling endpoint into many single reads.
      report.unread.push(...pending.takeRest());
      ctx.deps.logger?.warn({ err }, 'listing jobs failed; next sweep tries again');
      return;
    }
    report.pages++;
    const seen: Observation[] = [];
    const unfamiliar: FineTuningJob[] = [];
    paged.lastPageHits = 0;
    for (const job of page.data) {
      const i = pending.take(job.id);
      if (i >= 0) {
        paged.lastPageHits++;
        seen.push({ job, prev: pending.stateOf(i) });
      } else if (discover && indexOfSorted(ids, job.id) < 0 && !discovered.has(job.id)) {
        unfamiliar.push(job);
      }
      const c = job.created_at ?? 0;
      if (c > 0) {
        paged.newest = Math.max(paged.newest, c);
        paged.oldest = paged.oldest === 0 ? c : Math.min(paged.oldest, c);
      }
    }
    if (unfamiliar.length > 0) {
      // One round trip for the page's unfamiliar jobs, so finished ones are not re-recorded.
      const known = await ctx.deps.statuses.getMany(unfamiliar.map((j) => j.id));
      for (const job of unfamiliar) {
        if (known.has(job.id)) continue;
        discovered.add(job.id);
        seen.push({ job, prev: undefined });
      }
    }
    await observeAndHandOn(ctx, seen, report);
    paged.count += page.data.length;
    paged.hasMore = page.hasMore && page.data.length > 0;
    after = page.data.at(-1)?.id;
    if (!shouldReadNextPageOf(pending, paged, ctx.pageSize)) return;
  }
}

/**
 * Reads the jobs no page found, a few at a time, and records what they show; returns the
 * indexes of those the API answered 404 for.
 */
export async function readSingly(
  ctx: SweepContext,
  pending: PendingJobs,
  report: SweepReport,
): Promise<number[]> {
  const notFound: number[] = [];
  const rest = [...pending.rest()];
  for (let from = 0; from < rest.length; from += SINGLE_READS_AT_ONCE) {
    const batch = rest.slice(from, from + SINGLE_READS_AT_ONCE);
    const reads = await Promise.allSettled(
      batch.map((i) => ctx.deps.client.getJob(pending.idOf(i))),
    );
    const seen: Observation[] = [];
    reads.forEach((read, k) => {
      const i = batch[k]!;
      const jobId = pending.idOf(i);
      if (read.status === 'fulfilled') {
        report.singleReads++;
        seen.push({ job: read.value, prev: pending.stateOf(i) });
      } else if (read.reason instanceof NotFoundError) {
        notFound.push(i);
      } else {
        // The client has retried already; the job stays pending and is read next sweep.
        report.unread.push(jobId);
        ctx.deps.logger?.warn(
          { err: read.reason, jobId },
          'could not read a watched job; next sweep tries again',
        );
      }
    });
    await observeAndHandOn(ctx, seen, report);
  }
  return notFound;
}
