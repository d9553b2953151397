import type { Redis } from 'ioredis';
import type { FineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import { forkBench } from '../child.ts';
import { REDIS_URL } from '../namespace.ts';
import type { RssJob, RssReport } from '../rss-worker.ts';
import { JOB_SPACING_S, RSS_CHANNELS, RSS_SUBSCRIPTIONS } from './sizes.ts';

export interface Memory {
  bare: { rss: number; heapUsed: number };
  idle: RssReport;
  full: RssReport;
  restarted: RssReport;
}

/** RSS of a worker process: 10,000 watched jobs (one sweep) next to none, and next to bare node. */
export async function measureMemory(
  ft: FineTuningEmulator,
  slack: SlackEmulator,
  namespace: string,
  nowS: number,
): Promise<Memory> {
  ft.reset();
  ft.setFaults({ retryAfterMs: 0 });
  const rssIds = Array.from(
    { length: RSS_SUBSCRIPTIONS },
    (_, p) => ft.addJob({ status: 'running', created_at: nowS - p * JOB_SPACING_S }).id,
  );
  const rssChannels = Array.from({ length: RSS_CHANNELS }, (_, i) => `C0RSS${i}`);
  const measureRss = async (jobIds: string[], ns: string) => {
    const child = forkBench<RssReport>('rss-worker.ts', {}, ['--expose-gc']);
    child.send({
      apiBaseUrl: ft.azureBaseUrl,
      slackApiUrl: slack.apiUrl,
      redisUrl: REDIS_URL,
      namespace: ns,
      jobIds,
      channels: rssChannels,
    } satisfies RssJob);
    const report = await child.next();
    await child.exited();
    return report;
  };
  const empty = forkBench<{ rss: number; heapUsed: number }>('rss-empty.ts', {}, ['--expose-gc']);
  const bare = await empty.next();
  await empty.exited();
  const idle = await measureRss([], idleNamespace(namespace));
  const full = await measureRss(rssIds, namespace);
  // A restarted worker over the same namespace: statuses are known, so its sweep pages.
  const restarted = await measureRss(rssIds, namespace);
  return { bare, idle, full, restarted };
}

/** The idle worker's namespace, beside the loaded one's. */
export function idleNamespace(namespace: string): string {
  return `${namespace}-idle`;
}

export async function cleanupPrefix(redis: Redis, namespace: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `{${namespace}}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}
