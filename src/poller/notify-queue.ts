import { type ConnectionOptions, Queue } from 'bullmq';
import type { Transition } from '../store/job-status.ts';
import type { Keys } from '../store/keys.ts';
import type { JobSnapshot } from './transitions.ts';

/** The BullMQ queue of announcements, one job per (transition, channel). */
export const NOTIFY_QUEUE = 'ftops-notify';

/** What one notification job carries. */
export interface NotifyData {
  transition: Transition<JobSnapshot>;
  channel: string;
}

/** Retry settings of notification jobs; tests pass a short backoff. */
export interface NotifyRetry {
  attempts?: number;
  backoffMs?: number;
}

/**
 * The notification job ID of one transition in one channel. Deterministic, so enqueueing
 * the same transition again (a retried sweep, a second worker, a restart after a crash) is a
 * no-op. BullMQ refuses `:` in custom IDs; job IDs never contain `.` and channel IDs are
 * alphanumeric, so `.` separates the parts unambiguously.
 */
export function notificationId(jobId: string, seq: number, channel: string): string {
  // BullMQ refuses `:` in a custom ID; a job key's `<resource>:` becomes `<resource>/`.
  return `${jobId.replace(':', '/')}.${seq}.${channel}`;
}

/** Producer side of the notify queue. */
export class NotifyQueue {
  readonly queue: Queue<NotifyData>;
  private readonly retry: Required<NotifyRetry>;

  constructor(opts: { connection: ConnectionOptions; keys: Keys; retry?: NotifyRetry }) {
    this.queue = new Queue<NotifyData>(NOTIFY_QUEUE, {
      connection: opts.connection,
      prefix: opts.keys.bullPrefix,
    });
    this.retry = { attempts: opts.retry?.attempts ?? 8, backoffMs: opts.retry?.backoffMs ?? 2000 };
  }

  /** Queues the announcement of `t` to each channel; already queued ones are left alone. */
  async enqueue(t: Transition<JobSnapshot>, channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    await this.queue.addBulk(
      channels.map((channel) => ({
        name: 'notify',
        data: { transition: t, channel },
        opts: {
          jobId: notificationId(t.jobId, t.seq, channel),
          attempts: this.retry.attempts,
          backoff: { type: 'exponential', delay: this.retry.backoffMs },
          // Kept a week: while the record exists a re-enqueue of the same ID is a no-op.
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      })),
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
