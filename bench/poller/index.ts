/**
 * The poller (issue "The poller"): requests and wall time of one sweep over 500 watched jobs
 * among 5,000, next to reading each watched job singly and to the fewest requests possible;
 * the time to deliver 100 announcements under Slack's one-message-a-second channel limit,
 * next to the floor that limit sets; and the RSS of a worker holding 10,000 subscriptions,
 * next to an idle worker's.
 */
import { LogLevel, WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { createFineTuningClient } from '../../src/api/client.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import { startFineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import { startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { NotifyQueue } from '../../src/poller/notify-queue.ts';
import { NotifyWorker } from '../../src/poller/notify-worker.ts';
import { Sweeper } from '../../src/poller/sweeper.ts';
import { createJobStatusStore, readActor } from '../../src/store/job-status.ts';
import { openNamespace, REDIS_URL } from '../namespace.ts';
import type { BenchResult } from '../report.ts';
import { seededRandom } from '../stats.ts';
import { deliver } from './delivery.ts';
import { cleanupPrefix, idleNamespace, largeNamespace, measureMemory } from './rss.ts';
import { PACE_MS, PACE_MS_EXPERIMENT, PAGE_SIZE, TRANSITIONS } from './sizes.ts';
import { measureSweeps } from './sweep.ts';
import { pollerResult } from './tables.ts';
import { pollerWorld } from './world.ts';

/** Runs the poller bench and returns its tables and targets. */
export async function benchPoller(): Promise<BenchResult> {
  const start = Date.UTC(2026, 0, 15, 12);
  const [ft, slack] = await Promise.all([
    startFineTuningEmulator({ startTime: start }),
    startSlackEmulator(),
  ]);
  ft.setFaults({ retryAfterMs: 0 });
  const ns = openNamespace();
  const rssNs = openNamespace();
  const redis = ns.redis;
  const client = createFineTuningClient({
    baseUrl: ft.azureBaseUrl,
    auth: { type: 'api-key', key: 'test-key' },
    retryPolicy: noDelayRetryPolicy,
  });
  const web = new WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
  const bull = [0, 1].map(() => new Redis(REDIS_URL, { maxRetriesPerRequest: null })) as [
    Redis,
    Redis,
  ];
  const notify = new NotifyQueue({ connection: bull[0], keys: ns.keys });
  try {
    const random = seededRandom(42);
    const nowS = Math.floor(start / 1000);
    const world = await pollerWorld(ft, slack, ns, random, nowS);
    const sweeper = new Sweeper({
      client,
      subscriptions: world.subs,
      statuses: createJobStatusStore(redis, ns.keys),
      actorOf: (jobId) => readActor(redis, ns.keys, jobId),
      notify,
      pageSize: PAGE_SIZE,
    });
    const sweeps = await measureSweeps(ft, client, sweeper, world);

    // Delivery: 100 watched jobs change; each channel takes one message a second. Then the
    // same paced at Slack's limit exactly, on 100 other jobs, for comparison.
    for (const c of world.channels) slack.setRateLimit(c, 1);
    const order = shuffle(world.watched, random).map((p) => world.ids[p]!);
    const newWorker = (paceMs: number) =>
      new NotifyWorker({
        connection: bull[1],
        redis,
        keys: ns.keys,
        slack: web,
        subscriptions: world.subs,
        paceMs,
      });
    const ctx = { ft, slack, sweeper, world, newWorker };
    const delivery = await deliver(ctx, PACE_MS, order.slice(0, TRANSITIONS));
    // Let the channels' pacing keys and Slack's one-second windows run out.
    await new Promise((r) => setTimeout(r, 2_500));
    const headroom = await deliver(
      ctx,
      PACE_MS_EXPERIMENT,
      order.slice(TRANSITIONS, 2 * TRANSITIONS),
    );

    const memory = await measureMemory(ft, slack, rssNs.namespace, nowS);
    return pollerResult(sweeps, world.watched.length, delivery, headroom, memory);
  } finally {
    await notify.close();
    await client.close();
    await Promise.all(bull.map((c) => c.quit()));
    await Promise.all([ft.close(), slack.close()]);
    await cleanupPrefix(rssNs.redis, idleNamespace(rssNs.namespace));
    await cleanupPrefix(rssNs.redis, largeNamespace(rssNs.namespace));
    await Promise.all([ns.cleanup(), rssNs.cleanup()]);
  }
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
