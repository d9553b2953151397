import type { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FineTuningClient } from '../api/types.ts';
import { createJobStatusStore, readActor } from '../store/job-status.ts';
import type { Keys } from '../store/keys.ts';
import { createSubscriptions } from '../store/subscriptions.ts';
import { NotifyQueue, type NotifyRetry } from './notify-queue.ts';
import { NotifyWorker } from './notify-worker.ts';
import { PollScheduler, PollWorker } from './poll-scheduler.ts';
import type { AnnouncementRenderer } from './render.ts';
import { Sweeper, type SweepReport } from './sweeper.ts';

export { NotifyQueue, notificationId } from './notify-queue.ts';
export { NotifyWorker } from './notify-worker.ts';
export { PollScheduler, PollWorker } from './poll-scheduler.ts';
export type { Announcement, AnnouncementRenderer } from './render.ts';
export { plainRenderer } from './render.ts';
export { Sweeper, type SweepReport } from './sweeper.ts';

/** What the poller needs from the composition root. */
export interface PollerDeps {
  redisUrl: string;
  keys: Keys;
  client: FineTuningClient;
  slack: WebClient;
  intervalSeconds: number;
  render?: AnnouncementRenderer;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  notifyConcurrency?: number;
  paceMs?: number;
  /** How often the sweep schedule is checked and put back if Redis lost it; 30 s by default. */
  scheduleCheckMs?: number;
  /** How soon a notification whose worker died is handed to another (BullMQ's 30 s by default). */
  notifyStall?: { lockDurationMs?: number; stalledIntervalMs?: number; cardLockMs?: number };
  retry?: NotifyRetry;
  /** Told of every sweep (duration, what it read) and every announcement outcome. */
  events?: {
    sweep?: (outcome: { sweepId: string; seconds: number; report?: SweepReport }) => void;
    announced?: (ok: boolean, reason?: string) => void;
  };
}

/** A running poller. */
export interface Poller {
  sweeper: Sweeper;
  /** Jobs waiting, delayed or running in each queue, for the queue-depth gauge. */
  queueDepths(): Promise<{ sweep: number; notify: number }>;
  /** Stops both workers (each finishes its current job) and closes the connections. */
  close(): Promise<void>;
}

/**
 * Starts the sweep worker and the notify worker and upserts the sweep schedule. Any number
 * of processes may call it: the schedule stays one, and each sweep or notification runs once.
 */
export async function startPoller(deps: PollerDeps): Promise<Poller> {
  // BullMQ's workers block on Redis and must never give up on a command.
  const connect = () => new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  const commands = connect();
  const connections = [commands, connect(), connect()];
  const [, sweepConn, notifyConn] = connections as [Redis, Redis, Redis];
  const subscriptions = createSubscriptions(commands, deps.keys);
  const notify = new NotifyQueue({ connection: commands, keys: deps.keys, retry: deps.retry });
  const sweeper = new Sweeper({
    client: deps.client,
    subscriptions,
    statuses: createJobStatusStore(commands, deps.keys),
    actorOf: (jobId) => readActor(commands, deps.keys, jobId),
    notify,
    logger: deps.logger,
  });
  const scheduler = new PollScheduler({ connection: commands, keys: deps.keys });
  // A queue with no `error` listener has BullMQ print each reconnect failure, stack and all, to
  // stderr. The workers below log the same connection trouble in one line, so nothing is lost.
  for (const queue of [scheduler.queue, notify.queue]) queue.on('error', () => {});
  const pollWorker = new PollWorker({
    connection: sweepConn,
    keys: deps.keys,
    sweeper,
    logger: deps.logger,
    ...(deps.events?.sweep ? { onSweep: deps.events.sweep } : {}),
  });
  const notifyWorker = new NotifyWorker({
    connection: notifyConn,
    redis: commands,
    keys: deps.keys,
    slack: deps.slack,
    subscriptions,
    render: deps.render,
    logger: deps.logger,
    concurrency: deps.notifyConcurrency,
    paceMs: deps.paceMs,
    ...(deps.notifyStall ? { stall: deps.notifyStall } : {}),
  });
  if (deps.events?.announced) {
    const announced = deps.events.announced;
    notifyWorker.worker.on('completed', () => announced(true));
    notifyWorker.worker.on('failed', (_job, err) => announced(false, err.name));
  }
  await scheduler.upsert(deps.intervalSeconds);
  // The schedule lives in Redis only: a Redis that comes back empty would otherwise never sweep
  // again until a process restarted.
  const watchdog = setInterval(() => {
    scheduler.ensure(deps.intervalSeconds).then(
      (restored) => {
        if (restored) deps.logger?.warn('the sweep schedule was missing from Redis; restored it');
      },
      () => undefined, // Redis is down: the workers already say so, and the next check retries
    );
  }, deps.scheduleCheckMs ?? 30_000);
  watchdog.unref();
  const depth = async (q: { getJobCounts(...t: string[]): Promise<Record<string, number>> }) => {
    const c = await q.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };
  return {
    sweeper,
    async queueDepths() {
      const [sweep, notifyDepth] = await Promise.all([depth(scheduler.queue), depth(notify.queue)]);
      return { sweep, notify: notifyDepth };
    },
    async close() {
      clearInterval(watchdog);
      await Promise.all([pollWorker.close(), notifyWorker.close()]);
      await Promise.all([scheduler.close(), notify.close()]);
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
