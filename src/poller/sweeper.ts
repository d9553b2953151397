import { NotFoundError } from '../api/errors.ts';
import { type FineTuningJob, GONE, isFinal } from '../api/schemas.ts';
import { FINISHED_RETENTION_DAYS } from '../store/job-status.ts';
import { PendingJobs, sortUnique } from './pending-jobs.ts';
import { apiAnswers, dropGone, markGone } from './sweep-gone.ts';
import { shouldReadFirstPage } from './sweep-plan.ts';
import { readPages, readSingly } from './sweep-reads.ts';
import { drainOutbox, observeAll } from './sweep-record.ts';
import {
  emptyReport,
  type SweepContext,
  type SweeperDeps,
  type SweepReport,
} from './sweep-report.ts';

export type { SweeperDeps, SweepReport } from './sweep-report.ts';

/**
 * One sweep: read the status of every watched, unfinished job with as few requests as it can
 * (see sweep-plan.ts), record first sightings silently, record each change with one atomic
 * compare-and-set that also puts it in the outbox, then move the outbox to the notify queue
 * under deterministic job IDs. Running it twice at once, or again after a crash, announces
 * each change once. With a `watch all` channel it also records the jobs on the newest page
 * that it has never seen (silently: first sight is never announced, new job or not).
 */
export class Sweeper {
  private readonly now: () => number;
  /** What the sweep's parts (sweep-reads.ts, sweep-record.ts, sweep-gone.ts) share. */
  private readonly ctx: SweepContext;

  constructor(private readonly deps: SweeperDeps) {
    this.now = deps.now ?? Date.now;
    this.ctx = { deps, now: this.now, pageSize: deps.pageSize ?? 100 };
  }

  async sweep(): Promise<SweepReport> {
    const report = emptyReport();
    // Left-overs first: a crash after a compare-and-set left its transition in the outbox.
    report.enqueued += await drainOutbox(this.ctx);

    const discover = await this.deps.subscriptions.hasWatchAll();
    const ids = await this.idsToRead(discover);
    const pending = await this.pendingOf(ids, report);

    if (shouldReadFirstPage(pending.left, discover)) {
      await readPages(this.ctx, pending, ids, discover, report);
    }
    const notFound = await readSingly(this.ctx, pending, report);

    // A 404 means the job is gone only if the API answers other requests: a wrong endpoint
    // answers 404 to everything, and must not drop every watch.
    if (notFound.length > 0 && (await apiAnswers(this.ctx, report))) {
      for (const i of notFound)
        await markGone(this.ctx, pending.idOf(i), pending.stateOf(i), report);
    } else if (notFound.length > 0) {
      report.unread.push(...notFound.map((i) => pending.idOf(i)));
      this.deps.logger?.warn(
        { jobs: notFound.length },
        'the fine-tuning API answers 404 even to a job listing; check its endpoint (next sweep tries again)',
      );
    }
    report.enqueued += await drainOutbox(this.ctx);
    // Only now, with the announcement of each gone job queued for its channels, drop it.
    for (const jobId of report.gone) await dropGone(this.ctx, jobId);
    for (const jobId of report.retired) await dropGone(this.ctx, jobId);
    await this.deps
      .afterSweep?.(report)
      .catch((err: unknown) =>
        this.deps.logger?.warn({ err }, 'could not tell channels about the resource'),
      );
    return report;
  }

  /**
   * The IDs this sweep is about, sorted and without repeats: the watched ones (and, with a
   * `watch all` channel, every job ftops tracks) that this sweeper's resource owns. Read a
   * thousand at a time, so no one reply holds them all.
   */
  private async idsToRead(discover: boolean): Promise<string[]> {
    const owns = this.deps.owns ?? (() => true);
    const ids: string[] = [];
    const take = async (pages: AsyncIterable<string[]>) => {
      for await (const page of pages) for (const id of page) if (owns(id)) ids.push(id);
    };
    await take(this.deps.subscriptions.scanWatchedJobIds());
    if (discover) await take(this.deps.statuses.scanTrackedJobIds());
    return sortUnique(ids);
  }

  /**
   * The unfinished jobs among `ids`, with what Redis knows of each, read a thousand at a time
   * into columns; finished jobs are noted for retirement, gone ones for clean-up.
   */
  private async pendingOf(ids: string[], report: SweepReport): Promise<PendingJobs> {
    const pending = new PendingJobs(ids.length);
    const retireBefore = this.now() - FINISHED_RETENTION_DAYS * 86_400_000;
    for (let from = 0; from < ids.length; from += STATE_CHUNK) {
      const chunk = ids.slice(from, from + STATE_CHUNK);
      const known = await this.deps.statuses.getMany(chunk);
      for (const id of chunk) {
        const state = known.get(id);
        // A gone job still here was announced before a crash cut its clean-up short.
        if (state?.status === GONE) report.gone.push(id);
        if (state && isFinal(state.status)) {
          // Finished jobs are never read again; a month on, their watches go too.
          if (state.changedAt < retireBefore) report.retired.push(id);
          continue;
        }
        pending.add(id, state);
      }
    }
    return pending;
  }

  /**
   * Reads one job now (a webhook said it changed) and records and enqueues what changed,
   * exactly as a sweep would: the compare-and-set makes a sweep reading it at the same
   * time, or a copy of the event, announce the change once. A job that no channel watches
   * and ftops has never seen is left alone: nobody would hear of it.
   */
  async readOne(jobId: string): Promise<'read' | 'ignored'> {
    const { subscriptions, statuses } = this.deps;
    if (this.deps.owns && !this.deps.owns(jobId)) return 'ignored';
    const [state, watchers] = await Promise.all([
      statuses.getMany([jobId]).then((m) => m.get(jobId)),
      subscriptions.watchersOf(jobId),
    ]);
    if (!state && watchers.length === 0 && !(await subscriptions.hasWatchAll())) return 'ignored';
    if (state && isFinal(state.status)) return 'ignored';
    const report = emptyReport();
    let job: FineTuningJob;
    try {
      // A failed read rejects, and the queue tries again; the next sweep would catch it anyway.
      job = await this.deps.client.getJob(jobId);
    } catch (err) {
      // Whether a 404 means "gone" takes the sweep's care (a wrong endpoint 404s everything).
      if (err instanceof NotFoundError) return 'ignored';
      throw err;
    }
    report.singleReads++;
    await observeAll(this.ctx, [{ job, prev: state }], report);
    await drainOutbox(this.ctx);
    return 'read';
  }
}

/** Statuses read from Redis per round trip while the sweep builds its pending columns. */
const STATE_CHUNK = 1_000;
