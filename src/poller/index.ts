import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FineTuningClient } from '../api/types.ts';
import { createJobStatusStore, readActor } from '../store/job-status.ts';
import type { Keys } from '../store/keys.ts';
import { createRedisConnector, type RedisConnector, type RedisTarget } from '../store/redis.ts';
import { createSubscriptions } from '../store/subscriptions.ts';
import { NotifyQueue, type NotifyRetry } from './notify-queue.ts';
import { NotifyWorker } from './notify-worker.ts';
import { PollScheduler, PollWorker, type SweepOutcome } from './poll-scheduler.ts';
import type { AnnouncementRenderer } from './render.ts';
import { ResourceNotices, type ResourceNoticeView } from './resource-notices.ts';
import { Sweeper } from './sweeper.ts';
import { wakeOnTopologyChange } from './wake.ts';

export { NotifyQueue, notificationId } from './notify-queue.ts';
export { NotifyWorker } from './notify-worker.ts';
export { PollScheduler, PollWorker, type SweepOutcome } from './poll-scheduler.ts';
export type { Announcement, AnnouncementRenderer } from './render.ts';
export { plainRenderer } from './render.ts';
export { Sweeper, type SweepReport } from './sweeper.ts';

/** One resource to sweep: its client (speaking its job keys) and how often. */
export interface SweepTarget {
  resource: string;
  client: FineTuningClient;
  intervalSeconds: number;
  /** Which job keys are this resource's. */
  owns: (jobId: string) => boolean;
}

/** What the poller needs from the composition root. */
export interface PollerDeps {
  /** The Redis to use: a connector (cluster, TLS, Entra ID), a target, or one server's URL. */
  redis: RedisConnector | RedisTarget | string;
  keys: Keys;
  /** The resources to sweep; `client` and `intervalSeconds` alone make the one `default`. */
  targets?: readonly SweepTarget[];
  client?: FineTuningClient;
  intervalSeconds?: number;
  /** Words for "resource X is not answering" / "answers again"; no such notices when absent. */
  resourceNotice?: ResourceNoticeView;
  /** Whether a channel may hear about a job (the channel rules); all may when absent. */
  mayHear?: (channel: string, jobId: string) => boolean;
  slack: WebClient;
  render?: AnnouncementRenderer;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  notifyConcurrency?: number;
  paceMs?: number;
  /** How often the sweep schedule is checked and put back if Redis lost it; 30 s by default. */
  scheduleCheckMs?: number;
  /** How soon a notification whose worker died is handed to another (BullMQ's 30 s by default). */
  notifyStall?: { lockDurationMs?: number; stalledIntervalMs?: number; cardLockMs?: number };
  retry?: NotifyRetry;
  /** Told once a job's end was announced in a channel, with the card's ts (the final chart). */
  afterFinished?: (jobId: string, channel: string, cardTs: string) => Promise<void>;
  /** Told of every sweep (duration, what it read) and every announcement outcome. */
  events?: {
    sweep?: (outcome: SweepOutcome) => void;
    announced?: (ok: boolean, reason?: string) => void;
  };
}

/** A running poller. */
export interface Poller {
  /** The first resource's sweeper (the only one without a configuration file). */
  sweeper: Sweeper;
  /** Every resource's sweeper, by name. */
  sweepers: ReadonlyMap<string, Sweeper>;
  /** Jobs waiting, delayed or running in each queue, for the queue-depth gauge. */
  queueDepths(): Promise<{ sweep: number; notify: number }>;
  /** Moves a resource's sweeps to a new interval (after a reload); from any process, once. */
  reschedule(resource: string, intervalSeconds: number): Promise<void>;
  /** Stops both workers (each finishes its current job) and closes the connections. */
  close(): Promise<void>;
}

/**
 * Starts the sweep worker and the notify worker and upserts the sweep schedule. Any number
 * of processes may call it: the schedule stays one, and each sweep or notification runs once.
 */
export async function startPoller(deps: PollerDeps): Promise<Poller> {
  const connector =
    typeof deps.redis === 'object' && 'bull' in deps.redis
      ? deps.redis
      : createRedisConnector(deps.redis);
  await connector.ready();
  // BullMQ's workers block on Redis and must never give up on a command.
  const connect = () => connector.bull({ name: 'ftops-poller' });
  const commands = connect();
  const connections = [commands, connect(), connect()];
  const [, sweepConn, notifyConn] = connections as [Redis, Redis, Redis];
  const subscriptions = createSubscriptions(commands, deps.keys);
  const notify = new NotifyQueue({ connection: commands, keys: deps.keys, retry: deps.retry });
  const targets: SweepTarget[] = [...(deps.targets ?? [])];
  if (targets.length === 0)
    targets.push({
      resource: 'default',
      client: deps.client as FineTuningClient,
      intervalSeconds: deps.intervalSeconds ?? 60,
      owns: () => true,
    });
  const statuses = createJobStatusStore(commands, deps.keys);
  const notices = deps.resourceNotice
    ? new ResourceNotices({
        redis: commands,
        keys: deps.keys,
        slack: deps.slack,
        subscriptions,
        mayHear: deps.mayHear ?? (() => true),
        view: deps.resourceNotice,
        ...(deps.logger ? { logger: deps.logger } : {}),
      })
    : undefined;

  const sweepers = new Map(
    targets.map((t) => [
      t.resource,
      new Sweeper({
        client: t.client,
        subscriptions,
        statuses,
        actorOf: (jobId) => readActor(commands, deps.keys, jobId),
        notify,
        logger: deps.logger,
        owns: t.owns,
        ...(notices ? { afterSweep: (report) => notices.afterSweep(t.resource, report) } : {}),
        ...(deps.mayHear ? { mayHear: deps.mayHear } : {}),
      }),
    ]),
  );
  const sweeper = sweepers.values().next().value as Sweeper;
  const scheduler = new PollScheduler({ connection: commands, keys: deps.keys });
  // A queue with no `error` listener has BullMQ print each reconnect failure, stack and all, to
  // stderr. The workers below log the same connection trouble in one line, so nothing is lost.
  for (const queue of [scheduler.queue, notify.queue]) queue.on('error', () => {});
  const pollWorker = new PollWorker({
    connection: sweepConn,
    keys: deps.keys,
    sweepers,
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
    ...(deps.afterFinished ? { afterFinished: deps.afterFinished } : {}),
  });
  if (deps.events?.announced) {
    const announced = deps.events.announced;
    notifyWorker.worker.on('completed', () => announced(true));
    notifyWorker.worker.on('failed', (_job, err) => announced(false, err.name));
  }
  // After a failover or a reconnect the workers may sleep out a 10 s block with work waiting:
  // write the queues' markers so they look again (see wake.ts).
  const stopWaking = wakeOnTopologyChange({
    sources: connections,
    wake: () =>
      Promise.all(
        [scheduler.queue, notify.queue].map((q) => commands.zadd(q.keys.marker as string, 0, '0')),
      ),
  });
  for (const t of targets) await scheduler.upsert(t.intervalSeconds, t.resource);
  // The schedule lives in Redis only: a Redis that comes back empty would otherwise never sweep
  // again until a process restarted.
  const watchdog = setInterval(() => {
    for (const t of targets) {
      scheduler.ensure(t.intervalSeconds, t.resource).then(
        (restored) => {
          if (restored)
            deps.logger?.warn(
              { resource: t.resource },
              'the sweep schedule was missing from Redis; restored it',
            );
        },
        () => undefined, // Redis is down: the workers already say so, and the next check retries
      );
    }
  }, deps.scheduleCheckMs ?? 30_000);
  watchdog.unref();
  const depth = async (q: { getJobCounts(...t: string[]): Promise<Record<string, number>> }) => {
    const c = await q.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };
  return {
    sweeper,
    sweepers,
    async reschedule(resource, intervalSeconds) {
      const target = targets.find((t) => t.resource === resource);
      if (!target) return;
      target.intervalSeconds = intervalSeconds;
      await scheduler.upsert(intervalSeconds, resource);
    },
    async queueDepths() {
      const [sweep, notifyDepth] = await Promise.all([depth(scheduler.queue), depth(notify.queue)]);
      return { sweep, notify: notifyDepth };
    },
    async close() {
      clearInterval(watchdog);
      stopWaking();
      await Promise.all([pollWorker.close(), notifyWorker.close()]);
      await Promise.all([scheduler.close(), notify.close()]);
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
