import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { HandedOff, Handoff } from '../../handlers/deps.ts';
import type { Keys } from '../../store/keys.ts';
import { errorText } from '../../util/error-text.ts';

/** The BullMQ queue of commands and clicks acked by a web process, answered by a worker. */
export const HANDOFF_QUEUE = 'ftops-answer';

/**
 * A handed-off answer is wanted now or not at all: Slack's response_url lives 30 minutes,
 * and a person who waited a minute has moved on, so no retries and a short life.
 */
const FRESH_FOR_MS = 60_000;

/** The web side: acks happen in Bolt, this only puts the work on the queue. */
export class HandoffQueue implements Handoff {
  readonly queue: Queue<HandedOff>;

  constructor(opts: { connection: ConnectionOptions; keys: Keys }) {
    this.queue = new Queue<HandedOff>(HANDOFF_QUEUE, {
      connection: opts.connection,
      prefix: opts.keys.bullPrefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 100, attempts: 1 },
    });
    // Redis trouble shows in the rejected add (the user is told) and in the workers' logs.
    this.queue.on('error', () => {});
  }

  async command(work: Omit<Extract<HandedOff, { kind: 'command' }>, 'kind'>): Promise<void> {
    await this.queue.add('command', { kind: 'command', ...work });
  }

  async approve(work: Omit<Extract<HandedOff, { kind: 'approve' }>, 'kind'>): Promise<void> {
    await this.queue.add('approve', { kind: 'approve', ...work });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * The worker side: answers each handed-off piece of work and posts the answer to its
 * response_url. Several at a time, since most of the wait is on the fine-tuning API.
 */
export class HandoffWorker {
  readonly worker: Worker<HandedOff, void>;

  constructor(opts: {
    connection: ConnectionOptions;
    keys: Keys;
    answer: (work: HandedOff) => Promise<unknown>;
    post: (url: string, body: unknown) => Promise<void>;
    logger: Pick<Logger, 'warn' | 'error'>;
    concurrency?: number;
    clock?: () => number;
  }) {
    const clock = opts.clock ?? Date.now;
    this.worker = new Worker<HandedOff, void>(
      HANDOFF_QUEUE,
      async (job) => {
        const work = job.data;
        if (clock() - job.timestamp > FRESH_FOR_MS) {
          opts.logger.warn(
            { correlationId: work.caller.correlationId, kind: work.kind },
            'dropped a handed-off answer older than a minute; nobody waits for it any more',
          );
          return;
        }
        const body = await opts.answer(work);
        await opts
          .post(work.responseUrl, body)
          .catch((err: unknown) =>
            opts.logger.warn(
              { correlationId: work.caller.correlationId, err: errorText(err) },
              'could not answer through response_url',
            ),
          );
      },
      {
        connection: opts.connection,
        prefix: opts.keys.bullPrefix,
        concurrency: opts.concurrency ?? 16,
        // A worker that dies mid-answer must not have another run a pause or a vote again.
        maxStalledCount: 0,
      },
    );
    this.worker.on('error', (err) =>
      opts.logger.error({ err: errorText(err) }, 'answer worker error'),
    );
    this.worker.on('failed', (job, err) =>
      opts.logger.warn(
        { correlationId: job?.data.caller.correlationId, err: errorText(err) },
        'a handed-off answer failed',
      ),
    );
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}
