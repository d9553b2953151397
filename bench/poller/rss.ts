import type { Redis } from 'ioredis';
import type { FineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import {
  type BuiltWorkerFigure,
  bareNodeRss,
  ensureBuilt,
  measureBuiltWorker,
} from './built-worker.ts';
import {
  JOB_SPACING_S,
  RSS_CHANNELS,
  RSS_SUBSCRIPTIONS,
  RSS_SUBSCRIPTIONS_LARGE,
} from './sizes.ts';

export interface Memory {
  /** Bare `node`, nothing loaded. */
  bareRss: number;
  idle: BuiltWorkerFigure;
  full: BuiltWorkerFigure;
  restarted: BuiltWorkerFigure;
  /** 100,000 subscriptions, first sweep. */
  large: BuiltWorkerFigure;
  /** The same two with the young generation kept small (`TUNED_NODE_OPTIONS`). */
  restartedTuned: BuiltWorkerFigure;
  largeTuned: BuiltWorkerFigure;
}

/** The worker tuning the README suggests for a memory-bound worker container. */
export const TUNED_NODE_OPTIONS = '--max-semi-space-size=2';

/**
 * RSS of the built worker (`node dist/bot/main.js`, FT_ROLE=worker) after its first sweep: with
 * no subscriptions, with 10,000 (first sweep, then restarted over the same Redis) and with
 * 100,000, next to bare node, all in this run.
 */
export async function measureMemory(
  ft: FineTuningEmulator,
  slack: SlackEmulator,
  namespace: string,
  nowS: number,
): Promise<Memory> {
  ensureBuilt();
  ft.reset();
  ft.setFaults({ retryAfterMs: 0 });
  const ids = Array.from(
    { length: RSS_SUBSCRIPTIONS_LARGE },
    (_, p) => ft.addJob({ status: 'running', created_at: nowS - p * JOB_SPACING_S }).id,
  );
  const channels = Array.from({ length: RSS_CHANNELS }, (_, i) => `C0RSS${i}`);
  const bareRss = bareNodeRss();
  const idle = await measureBuiltWorker(ft, slack, {
    namespace: idleNamespace(namespace),
    jobIds: [],
    channels,
  });
  // The 10,000 newest jobs, as people watch what they started recently.
  const some = ids.slice(0, RSS_SUBSCRIPTIONS);
  const full = await measureBuiltWorker(ft, slack, { namespace, jobIds: some, channels });
  // A restarted worker over the same namespace: statuses are known, so its sweep pages.
  const restarted = await measureBuiltWorker(ft, slack, {
    namespace,
    jobIds: some,
    channels,
    watch: false,
  });
  const large = await measureBuiltWorker(ft, slack, {
    namespace: largeNamespace(namespace),
    jobIds: ids,
    channels,
  });
  const restartedTuned = await measureBuiltWorker(ft, slack, {
    namespace,
    jobIds: some,
    channels,
    watch: false,
    nodeOptions: TUNED_NODE_OPTIONS,
  });
  const largeTuned = await measureBuiltWorker(ft, slack, {
    namespace: `${largeNamespace(namespace)}-tuned`,
    jobIds: ids,
    channels,
    nodeOptions: TUNED_NODE_OPTIONS,
  });
  return { bareRss, idle, full, restarted, large, restartedTuned, largeTuned };
}

/** The 100,000-subscription worker's namespace. */
export function largeNamespace(namespace: string): string {
  return `${namespace}-large`;
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
