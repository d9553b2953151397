import type { FineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import { createSubscriptions } from '../../src/store/subscriptions.ts';
import type { BenchNamespace } from '../namespace.ts';
import {
  CHANNELS,
  JOB_SPACING_S,
  JOBS,
  RECENT_WINDOW,
  WATCHED_OLD,
  WATCHED_RECENT,
} from './sizes.ts';

export interface PollerWorld {
  /** Every job's id, newest first: position p is the p-th newest. */
  ids: string[];
  channels: string[];
  /** Positions of the watched jobs, in order. */
  watched: number[];
  channelOf: Map<string, string>;
  subs: ReturnType<typeof createSubscriptions>;
}

/** 5,000 jobs one minute apart, newest first, 500 of them running and watched from 50 channels. */
export async function pollerWorld(
  ft: FineTuningEmulator,
  slack: SlackEmulator,
  ns: BenchNamespace,
  random: () => number,
  nowS: number,
): Promise<PollerWorld> {
  const positions = pickWatched(random);
  const ids: string[] = [];
  for (let p = 0; p < JOBS; p++) {
    const status = positions.has(p)
      ? 'running'
      : (['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'running'] as const)[
          Math.floor(random() * 6)
        ];
    ids.push(ft.addJob({ status, created_at: nowS - p * JOB_SPACING_S }).id);
  }
  const channels = Array.from(
    { length: CHANNELS },
    (_, i) => `C0BENCH${String(i).padStart(2, '0')}`,
  );
  for (const id of channels) slack.addChannel({ id, name: id.toLowerCase() });
  const watched = [...positions].sort((a, b) => a - b);
  const channelOf = new Map<string, string>();
  const subs = createSubscriptions(ns.redis, ns.keys);
  await Promise.all(
    watched.map((p, i) => {
      const channel = channels[i % CHANNELS]!;
      channelOf.set(ids[p]!, channel);
      return subs.watch(channel, ids[p]!);
    }),
  );
  return { ids, channels, watched, channelOf, subs };
}

/** 490 distinct positions among the newest 1,000 and 10 among the older 4,000. */
function pickWatched(random: () => number): Set<number> {
  const picked = new Set<number>();
  while (picked.size < WATCHED_RECENT) picked.add(Math.floor(random() * RECENT_WINDOW));
  while (picked.size < WATCHED_RECENT + WATCHED_OLD)
    picked.add(RECENT_WINDOW + Math.floor(random() * (JOBS - RECENT_WINDOW)));
  return picked;
}
