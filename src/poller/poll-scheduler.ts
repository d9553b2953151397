import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Keys } from '../store/keys.ts';
import type { Sweeper, SweepReport } from './sweeper.ts';

/** The BullMQ queue whose scheduler emits one `sweep` job per interval. */
export const SWEEP_QUEUE = 'ftops-sweep';
/** The scheduler's ID: upserting it again, from any process, replaces rather than adds. */
export const SWEEP_SCHEDULER_ID = 'sweep';

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
  async upsert(intervalSeconds: number): Promise<void> {
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every: Math.max(1, intervalSeconds) * 1000 },
      {
        name: 'sweep',
        // A sweep's outcome lives in Redis state; a few records are enough for debugging.
        opts: { removeOnComplete: 50, removeOnFail: 50 },
      },
    );
  }

  /**
   * Puts the schedule back if it is gone (a Redis that restarted without its data, or a
   * FLUSHDB), leaving an existing one alone so its next sweep is not moved. True if it had to.
   */
  async ensure(intervalSeconds: number): Promise<boolean> {
    if (await this.queue.getJobScheduler(SWEEP_SCHEDULER_ID)) return false;
    await this.upsert(intervalSeconds);
    return true;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** Runs sweeps as the scheduler emits them; one at a time per worker. */
export class PollWorker {
  readonly worker: Worker<unknown, SweepReport>;

  constructor(opts: {
    connection: ConnectionOptions;
    keys: Keys;
    sweeper: Pick<Sweeper, 'sweep'>;
    logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
    /** Told of every sweep, for metrics and the sweep's log line. */
    onSweep?: (outcome: { sweepId: string; seconds: number; report?: SweepReport }) => void;
  }) {
    const run = async (job: { id?: string }) => {
      const started = performance.now();
      // The BullMQ job ID ties the sweep's log lines together, like a request's correlation ID.
      const sweepId = job.id ?? 'sweep';
      try {
        const report = await opts.sweeper.sweep();
        opts.onSweep?.({ sweepId, seconds: (performance.now() - started) / 1000, report });
        return report;
      } catch (err) {
        opts.onSweep?.({ sweepId, seconds: (performance.now() - started) / 1000 });
        throw err;
      }
    };
    this.worker = new Worker<unknown, SweepReport>(SWEEP_QUEUE, run, {
      connection: opts.connection,
      prefix: opts.keys.bullPrefix,
      concurrency: 1,
    });
    this.worker.on('error', (err) => opts.logger?.error({ err }, 'sweep worker error'));
    this.worker.on('failed', (_job, err) =>
      opts.logger?.warn({ err }, 'sweep failed; the next one retries'),
    );
  }

  /** Stops taking sweeps and waits for the one in progress. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}
