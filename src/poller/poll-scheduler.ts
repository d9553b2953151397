import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Keys } from '../store/keys.ts';
import type { Sweeper, SweepReport } from './sweeper.ts';

/** The BullMQ queue whose scheduler emits one `sweep` job per interval. */
export const SWEEP_QUEUE = 'ftops-sweep';
/** The scheduler's ID: upserting it again, from any process, replaces rather than adds. */
export const SWEEP_SCHEDULER_ID = 'sweep';

/** A job on the sweep queue that reads one job rather than sweeping a resource. */
export const READ_JOB = 'read';

/** The resource the environment-only configuration sweeps; its schedule keeps the old ID. */
const DEFAULT_SWEEP = 'default';

/** One schedule per resource, so each sweeps at its own interval and on its own. */
export function schedulerIdOf(resource: string): string {
  return resource === DEFAULT_SWEEP ? SWEEP_SCHEDULER_ID : `${SWEEP_SCHEDULER_ID}:${resource}`;
}

/** Owns the sweep queue and its job scheduler. */
export class PollScheduler {
  readonly queue: Queue;

  constructor(opts: { connection: ConnectionOptions; keys: Keys }) {
    this.queue = new Queue(SWEEP_QUEUE, {
      connection: opts.connection,
      prefix: opts.keys.bullPrefix,
    });
  }

  /** Creates or updates the sweep schedule; idempotent across processes and restarts. */
  async upsert(intervalSeconds: number, resource = DEFAULT_SWEEP): Promise<void> {
    await this.queue.upsertJobScheduler(
      schedulerIdOf(resource),
      { every: Math.max(1, intervalSeconds) * 1000 },
      {
        name: 'sweep',
        data: { resource },
        // A sweep's outcome lives in Redis state; a few records are enough for debugging.
        opts: { removeOnComplete: 50, removeOnFail: 50 },
      },
    );
  }

  /**
   * Asks for one job to be read as soon as a worker is free (a webhook said it changed). A
   * read that fails is tried twice more, a few seconds apart; the sweep is the backstop.
   */
  async readNow(resource: string, jobKey: string): Promise<void> {
    await this.queue.add(
      READ_JOB,
      { resource, job: jobKey },
      {
        attempts: 3,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: 50,
        removeOnFail: 50,
      },
    );
  }

  /**
   * Puts the schedule back if it is gone (a Redis that restarted without its data, or a
   * FLUSHDB), leaving an existing one alone so its next sweep is not moved. True if it had to.
   */
  async ensure(intervalSeconds: number, resource = DEFAULT_SWEEP): Promise<boolean> {
    if (await this.queue.getJobScheduler(schedulerIdOf(resource))) return false;
    await this.upsert(intervalSeconds, resource);
    return true;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** What a sweep job's outcome is told with: which resource, how long, what it read. */
export interface SweepOutcome {
  sweepId: string;
  resource: string;
  seconds: number;
  report?: SweepReport;
  /** The resource's previous sweep in this process was still running: this one did nothing. */
  skipped?: boolean;
}

/** What the sweep queue's jobs carry: a sweep names its resource, a read also the job. */
interface SweepJobData {
  resource?: string;
  job?: string;
}

/**
 * Runs sweeps as the schedulers emit them: one slot per resource, so a resource whose API
 * hangs holds only its own slot, and at most one sweep of a resource at a time per process.
 */
export class PollWorker {
  readonly worker: Worker<SweepJobData, SweepReport | string | null>;

  constructor(opts: {
    connection: ConnectionOptions;
    keys: Keys;
    /** One sweeper per resource, by name; `sweeper` alone is the `default` resource's. */
    sweepers?: ReadonlyMap<string, Pick<Sweeper, 'sweep' | 'readOne'>>;
    sweeper?: Pick<Sweeper, 'sweep' | 'readOne'>;
    logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
    /** Told of every sweep, for metrics and the sweep's log line. */
    onSweep?: (outcome: SweepOutcome) => void;
  }) {
    const sweepers = opts.sweepers ?? new Map(opts.sweeper ? [[DEFAULT_SWEEP, opts.sweeper]] : []);
    const running = new Set<string>();
    const run = async (job: { id?: string; name?: string; data?: SweepJobData }) => {
      if (job.name === READ_JOB) {
        const sweeper = sweepers.get(job.data?.resource ?? DEFAULT_SWEEP);
        return sweeper && job.data?.job ? sweeper.readOne(job.data.job) : null;
      }
      const started = performance.now();
      // The BullMQ job ID ties the sweep's log lines together, like a request's correlation ID.
      const sweepId = job.id ?? 'sweep';
      const resource = job.data?.resource ?? DEFAULT_SWEEP;
      const sweeper = sweepers.get(resource);
      // A schedule of a resource no longer configured: nothing to read, and not an error.
      if (!sweeper) return null;
      const seconds = () => (performance.now() - started) / 1000;
      if (running.has(resource)) {
        opts.onSweep?.({ sweepId, resource, seconds: seconds(), skipped: true });
        return null;
      }
      running.add(resource);
      try {
        const report = await sweeper.sweep();
        opts.onSweep?.({ sweepId, resource, seconds: seconds(), report });
        return report;
      } catch (err) {
        opts.onSweep?.({ sweepId, resource, seconds: seconds() });
        throw err;
      } finally {
        running.delete(resource);
      }
    };
    this.worker = new Worker<SweepJobData, SweepReport | string | null>(SWEEP_QUEUE, run, {
      connection: opts.connection,
      prefix: opts.keys.bullPrefix,
      // A slot per resource: a hung one keeps its own; its next sweep, in a freed slot, is
      // skipped. As many again for reads a webhook asks for, so they never wait for a sweep.
      concurrency: Math.max(1, sweepers.size) * 2,
    });
    this.worker.on('error', (err) => opts.logger?.error({ err }, 'sweep worker error'));
    this.worker.on('failed', (job, err) =>
      opts.logger?.warn(
        { err },
        job?.name === READ_JOB
          ? 'reading a job a webhook named failed; the sweep reads it in any case'
          : 'sweep failed; the next one retries',
      ),
    );
  }

  /** Stops taking sweeps and waits for the one in progress. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}
