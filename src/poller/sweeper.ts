import type { Logger } from 'pino';
import { NotFoundError } from '../api/errors.ts';
import { type FineTuningJob, GONE, isFinal } from '../api/schemas.ts';
import type { FineTuningClient } from '../api/types.ts';
import {
  type Actor,
  FINISHED_RETENTION_DAYS,
  type JobStatusStore,
  type Transition,
} from '../store/job-status.ts';
import type { Subscriptions } from '../store/subscriptions.ts';
import type { NotifyQueue } from './notify-queue.ts';
import { indexOfSorted, type KnownState, PendingJobs, sortUnique } from './pending-jobs.ts';
import { type PagedSoFar, shouldReadFirstPage, shouldReadNextPageOf } from './sweep-plan.ts';
import { attribute, audience, type JobSnapshot, snapshotOf } from './transitions.ts';

/** What the sweeper needs; all injected so a test builds it with the emulator and Redis. */
export interface SweeperDeps {
  client: Pick<FineTuningClient, 'listJobs' | 'getJob'>;
  subscriptions: Subscriptions;
  statuses: JobStatusStore;
  /** Reads the last ftops actor of a job (`readActor` bound to Redis and keys). */
  actorOf: (jobId: string) => Promise<Actor | null>;
  notify: Pick<NotifyQueue, 'enqueue'>;
  now?: () => number;
  pageSize?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Which job keys this sweeper reads (its resource's); every watched job when absent. */
  owns?: (jobId: string) => boolean;
  /** Whether a channel may hear about a job (the channel rules); every watcher when absent. */
  mayHear?: (channel: string, jobId: string) => boolean;
  /** Told of each finished sweep's report (the resource's down/back notices). */
  afterSweep?: (report: SweepReport) => Promise<void>;
  /** Called after each transition is recorded and before it is enqueued (crash tests). */
  onTransitionRecorded?: (jobId: string, seq: number) => Promise<void> | void;
}

/** What one sweep did, for logs, metrics and tests. */
export interface SweepReport {
  pages: number;
  singleReads: number;
  /** Jobs recorded for the first time (silently). */
  firstSights: number;
  /** Transitions this sweep recorded. */
  transitions: number;
  /** Transitions handed to the notify queue (this sweep's and any left over). */
  enqueued: number;
  /** Watched jobs that could not be read; they are tried again next sweep. */
  unread: string[];
  /** Jobs the API answered 404 for: announced gone once, then their watches dropped. */
  gone: string[];
  /** Jobs finished over a month ago whose watches and status this sweep dropped. */
  retired: string[];
}

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
  private readonly pageSize: number;

  constructor(private readonly deps: SweeperDeps) {
    this.now = deps.now ?? Date.now;
    this.pageSize = deps.pageSize ?? 100;
  }

  async sweep(): Promise<SweepReport> {
    const report = emptyReport();
    // Left-overs first: a crash after a compare-and-set left its transition in the outbox.
    report.enqueued += await this.drainOutbox();

    const discover = await this.deps.subscriptions.hasWatchAll();
    const ids = await this.idsToRead(discover);
    const pending = await this.pendingOf(ids, report);

    if (shouldReadFirstPage(pending.left, discover)) {
      await this.readPages(pending, ids, discover, report);
    }
    const notFound = await this.readSingly(pending, report);

    // A 404 means the job is gone only if the API answers other requests: a wrong endpoint
    // answers 404 to everything, and must not drop every watch.
    if (notFound.length > 0 && (await this.apiAnswers(report))) {
      for (const i of notFound) await this.markGone(pending.idOf(i), pending.stateOf(i), report);
    } else if (notFound.length > 0) {
      report.unread.push(...notFound.map((i) => pending.idOf(i)));
      this.deps.logger?.warn(
        { jobs: notFound.length },
        'the fine-tuning API answers 404 even to a job listing; check its endpoint (next sweep tries again)',
      );
    }
    report.enqueued += await this.drainOutbox();
    // Only now, with the announcement of each gone job queued for its channels, drop it.
    for (const jobId of report.gone) await this.dropGone(jobId);
    for (const jobId of report.retired) await this.dropGone(jobId);
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
    await this.observeAll([{ job, prev: state }], report);
    await this.drainOutbox();
    return 'read';
  }

  /** Whether the API answered a read this sweep, or answers a one-job listing now. */
  private async apiAnswers(report: SweepReport): Promise<boolean> {
    if (report.pages > 0 || report.singleReads > 0) return true;
    try {
      await this.deps.client.listJobs({ limit: 1 });
      return true;
    } catch {
      return false;
    }
  }

  /** Records a job the API no longer knows as gone, so its channels hear it once. */
  private async markGone(
    jobId: string,
    state: KnownState | undefined,
    report: SweepReport,
  ): Promise<void> {
    report.gone.push(jobId);
    this.deps.logger?.info({ jobId }, 'a watched job is gone (404); its watches are dropped');
    // Never seen before (watched, then deleted before the first sweep): nothing to announce.
    if (!state) return;
    const seq = await this.deps.statuses.compareAndSet({
      jobId,
      expected: state.status,
      next: GONE,
      now: this.now(),
      by: null,
      job: { id: jobId, status: GONE },
    });
    if (seq > 0) report.transitions++;
  }

  private async dropGone(jobId: string): Promise<void> {
    const { subscriptions, statuses } = this.deps;
    for (const w of await subscriptions.watchersOf(jobId))
      await subscriptions.unwatch(w.channel, jobId);
    await statuses.forget(jobId);
  }

  /**
   * Pages through the listing while that costs less than single reads (sweep-plan.ts). Each
   * page's changes are recorded and handed to the notify queue before the next page is read,
   * so the first announcements go out while the sweep is still paging.
   */
  private async readPages(
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
        page = await this.deps.client.listJobs({
          limit: this.pageSize,
          ...(after ? { after } : {}),
        });
      } catch (err) {
        // Listing failed even after the client's retries: leave the rest to the next sweep
        // rather than turn one struggling endpoint into many single reads.
        report.unread.push(...pending.takeRest());
        this.deps.logger?.warn({ err }, 'listing jobs failed; next sweep tries again');
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
        const known = await this.deps.statuses.getMany(unfamiliar.map((j) => j.id));
        for (const job of unfamiliar) {
          if (known.has(job.id)) continue;
          discovered.add(job.id);
          seen.push({ job, prev: undefined });
        }
      }
      await this.observeAndHandOn(seen, report);
      paged.count += page.data.length;
      paged.hasMore = page.hasMore && page.data.length > 0;
      after = page.data.at(-1)?.id;
      if (!shouldReadNextPageOf(pending, paged, this.pageSize)) return;
    }
  }

  /**
   * Reads the jobs no page found, a few at a time, and records what they show; returns the
   * indexes of those the API answered 404 for.
   */
  private async readSingly(pending: PendingJobs, report: SweepReport): Promise<number[]> {
    const notFound: number[] = [];
    const rest = [...pending.rest()];
    for (let from = 0; from < rest.length; from += SINGLE_READS_AT_ONCE) {
      const batch = rest.slice(from, from + SINGLE_READS_AT_ONCE);
      const reads = await Promise.allSettled(
        batch.map((i) => this.deps.client.getJob(pending.idOf(i))),
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
          this.deps.logger?.warn(
            { err: read.reason, jobId },
            'could not read a watched job; next sweep tries again',
          );
        }
      });
      await this.observeAndHandOn(seen, report);
    }
    return notFound;
  }

  /** Records what a page (or a batch of reads) showed and queues any change it recorded. */
  private async observeAndHandOn(seen: Observation[], report: SweepReport): Promise<void> {
    const before = report.transitions;
    await this.observeAll(seen, report);
    if (report.transitions > before) report.enqueued += await this.drainOutbox();
  }

  /**
   * Records what some reads showed: first sights silently (together, in one round trip), and
   * each change by compare-and-set, one after another, with the actors read beforehand.
   */
  private async observeAll(seen: Observation[], report: SweepReport): Promise<void> {
    const { statuses } = this.deps;
    const now = this.now();
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
    const actors = await Promise.all(changes.map((o) => this.deps.actorOf(o.job.id)));
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
        await this.deps.onTransitionRecorded?.(job.id, seq);
      }
    }
  }

  /** Hands every recorded transition to the notify queue, then removes it from the outbox. */
  private async drainOutbox(): Promise<number> {
    const { statuses, subscriptions, notify } = this.deps;
    let n = 0;
    for (const t of await statuses.pendingTransitions()) {
      const mayHear = this.deps.mayHear ?? (() => true);
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
}

function emptyReport(): SweepReport {
  return {
    pages: 0,
    singleReads: 0,
    firstSights: 0,
    transitions: 0,
    enqueued: 0,
    unread: [],
    gone: [],
    retired: [],
  };
}

/** One job as a read returned it, with what Redis knew of it before (none: never seen). */
interface Observation {
  job: FineTuningJob;
  prev: KnownState | undefined;
}

/** Statuses read from Redis per round trip while the sweep builds its pending columns. */
const STATE_CHUNK = 1_000;

/** Single reads in flight at once: a few, so a sweep's tail is not one round trip per job. */
const SINGLE_READS_AT_ONCE = 4;
