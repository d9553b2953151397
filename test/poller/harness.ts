import { LogLevel, WebClient } from '@slack/web-api';

import { createFineTuningClient } from '../../src/api/client.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import type { FineTuningClient } from '../../src/api/types.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { NotifyQueue } from '../../src/poller/notify-queue.ts';
import { NotifyWorker } from '../../src/poller/notify-worker.ts';
import type { AnnouncementRenderer } from '../../src/poller/render.ts';
import { Sweeper, type SweeperDeps } from '../../src/poller/sweeper.ts';
import { createJobStatusStore, readActor } from '../../src/store/job-status.ts';
import { createBullConnection } from '../../src/store/redis.ts';
import { createSubscriptions, type Subscriptions } from '../../src/store/subscriptions.ts';
import { openTestRedis, TEST_REDIS, type TestRedis } from '../support/redis.ts';

/**
 * Everything a poller test needs, over real HTTP and Redis: both emulators, the API client,
 * a Slack WebClient that leaves 429s to the worker, and builders for any number of sweepers
 * and notify workers sharing one namespace (as separate processes would).
 */
export interface Harness extends TestRedis {
  ft: FineTuningEmulator;
  slack: SlackEmulator;
  client: FineTuningClient;
  web: WebClient;
  subs: Subscriptions;
  newSweeper(extra?: Partial<SweeperDeps>): Sweeper;
  startNotifyWorker(opts?: { paceMs?: number; render?: AnnouncementRenderer }): NotifyWorker;
  /** Waits until the notify queue has nothing waiting, delayed or active. */
  settle(): Promise<void>;
  /** Messages in a channel, top-level and replies, oldest first. */
  messages(
    channel: string,
  ): Array<{ ts: string; text: string; thread_ts?: string; reply_broadcast?: boolean }>;
  close(): Promise<void>;
}

export const CHANNEL = 'C0TRAINING';
export const OTHER_CHANNEL = 'C0APPROVALS';

/** Starts the emulators and a namespace; `close` tears everything down and deletes the keys. */
export async function startHarness(): Promise<Harness> {
  const t = openTestRedis();
  const [ft, slack] = await Promise.all([startFineTuningEmulator(), startSlackEmulator()]);
  ft.setFaults({ retryAfterMs: 0 });
  const client = createFineTuningClient({
    baseUrl: ft.azureBaseUrl,
    auth: { type: 'api-key', key: 'test-key' },
    retryPolicy: noDelayRetryPolicy,
    maxRetries: 3,
  });
  const web = new WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
  const subs = createSubscriptions(t.redis, t.keys);
  const closers: Array<() => Promise<unknown>> = [];
  const notifyQueues: NotifyQueue[] = [];
  const connection = () => {
    const c = createBullConnection(TEST_REDIS);
    closers.push(() => c.quit());
    return c;
  };

  const h: Harness = {
    ...t,
    ft,
    slack,
    client,
    web,
    subs,
    newSweeper(extra = {}) {
      const redis = connection();
      const notify = new NotifyQueue({
        connection: redis,
        keys: t.keys,
        retry: { attempts: 8, backoffMs: 10 },
      });
      notifyQueues.push(notify);
      closers.unshift(() => notify.close());
      return new Sweeper({
        client,
        subscriptions: createSubscriptions(redis, t.keys),
        statuses: createJobStatusStore(redis, t.keys),
        actorOf: (jobId) => readActor(redis, t.keys, jobId),
        notify,
        ...extra,
      });
    },
    startNotifyWorker(opts = {}) {
      const redis = connection();
      const w = new NotifyWorker({
        connection: connection(),
        redis,
        keys: t.keys,
        slack: web,
        subscriptions: createSubscriptions(redis, t.keys),
        paceMs: opts.paceMs ?? 0,
        render: opts.render,
      });
      closers.unshift(() => w.close());
      return w;
    },
    async settle() {
      const queue = notifyQueues[0] ?? new NotifyQueue({ connection: connection(), keys: t.keys });
      if (!notifyQueues.includes(queue)) {
        notifyQueues.push(queue);
        closers.unshift(() => queue.close());
      }
      await waitFor(async () => {
        const c = await queue.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        return Object.values(c).every((n) => n === 0);
      });
    },
    messages(channel) {
      return (slack.messages.get(channel) ?? []).filter((m) => !m.ephemeral);
    },
    async close() {
      for (const c of closers) await c().catch(() => undefined);
      await client.close();
      await Promise.all([ft.close(), slack.close()]);
      await t.cleanup();
    },
  };
  return h;
}

/** Polls `check` until it holds; fails after `timeoutMs` (a hang guard, not a timing claim). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
