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
import { DEFAULT_NOTIFY_CONCURRENCY, NotifyWorker } from '../../src/poller/notify-worker.ts';
import { Sweeper } from '../../src/poller/sweeper.ts';
import { createJobStatusStore, readActor } from '../../src/store/job-status.ts';
import { type BenchNamespace, openNamespace, REDIS_URL } from '../namespace.ts';
import type { BenchResult } from '../report.ts';
import { seededRandom } from '../stats.ts';
import { deliver } from './delivery.ts';
import { cleanupPrefix, idleNamespace, largeNamespace, measureMemory } from './rss.ts';
import {
  BASE_SCALE,
  PACE_MS,
  PACE_MS_EXPERIMENT,
  PAGE_SIZE,
  type Scale,
  TENFOLD_SCALE,
} from './sizes.ts';
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
  const bigNs = openNamespace();
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
  try {
    const random = seededRandom(42);
    const nowS = Math.floor(start / 1000);
    const bench = async (
      scale: Scale,
      space: BenchNamespace,
      runs: Array<{ paceMs: number; concurrency?: number }>,
    ) => {
      const world = await pollerWorld(ft, slack, space, random, nowS, scale);
      const queue = new NotifyQueue({ connection: bull[0], keys: space.keys });
      try {
        const sweeper = new Sweeper({
          client,
          subscriptions: world.subs,
          statuses: createJobStatusStore(space.redis, space.keys),
          actorOf: (jobId) => readActor(space.redis, space.keys, jobId),
          notify: queue,
          pageSize: PAGE_SIZE,
        });
        const sweeps = await measureSweeps(ft, client, sweeper, world);
        // Delivery: watched jobs change; each channel takes one message a second.
        for (const c of world.channels) slack.setRateLimit(c, 1);
        const order = shuffle(world.watched, random).map((p) => world.ids[p]!);
        let concurrency: number | undefined;
        const newWorker = (paceMs: number) =>
          new NotifyWorker({
            ...(concurrency ? { concurrency } : {}),
            connection: bull[1],
            redis: space.redis,
            keys: space.keys,
            slack: web,
            subscriptions: world.subs,
            paceMs,
          });
        const ctx = { ft, slack, sweeper, world, newWorker };
        const deliveries = [];
        for (const [i, run] of runs.entries()) {
          // Let the channels' pacing keys and Slack's one-second windows run out between runs.
          if (i > 0) await new Promise((r) => setTimeout(r, 2_500));
          const n = scale.transitions;
          concurrency = run.concurrency;
          deliveries.push(await deliver(ctx, run.paceMs, order.slice(i * n, (i + 1) * n)));
        }
        return { sweeps, world, deliveries };
      } finally {
        await queue.close();
      }
    };

    // The scale, then the same paced at Slack's limit exactly for comparison.
    const base = await bench(BASE_SCALE, ns, [{ paceMs: PACE_MS }, { paceMs: PACE_MS_EXPERIMENT }]);
    ft.reset();
    ft.setFaults({ retryAfterMs: 0 });
    // At ten times the load, also with four times the notify worker's concurrency: what bounds
    // delivery there (the default keeps few posts in flight, each re-posted at most once after
    // a SIGKILL).
    const tenfold = await bench(TENFOLD_SCALE, bigNs, [
      { paceMs: PACE_MS },
      { paceMs: PACE_MS, concurrency: 4 * DEFAULT_NOTIFY_CONCURRENCY },
    ]);
    const memory = await measureMemory(ft, slack, rssNs.namespace, nowS);
    return pollerResult(
      base.sweeps,
      base.world.watched.length,
      base.deliveries[0]!,
      base.deliveries[1]!,
      memory,
      {
        sweeps: tenfold.sweeps,
        delivery: tenfold.deliveries[0]!,
        wider: tenfold.deliveries[1]!,
        scale: TENFOLD_SCALE,
      },
    );
  } finally {
    await client.close();
    await Promise.all(bull.map((c) => c.quit()));
    await Promise.all([ft.close(), slack.close()]);
    await cleanupPrefix(rssNs.redis, idleNamespace(rssNs.namespace));
    await cleanupPrefix(rssNs.redis, largeNamespace(rssNs.namespace));
    await cleanupPrefix(rssNs.redis, `${largeNamespace(rssNs.namespace)}-tuned`);
    await Promise.all([ns.cleanup(), rssNs.cleanup(), bigNs.cleanup()]);
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
