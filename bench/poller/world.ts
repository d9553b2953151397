import type { FineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import { createSubscriptions } from '../../src/store/subscriptions.ts';
import type { BenchNamespace } from '../namespace.ts';
import { JOB_SPACING_S, type Scale } from './sizes.ts';

export interface PollerWorld {
  /** Every job's id, newest first: position p is the p-th newest. */
  ids: string[];
  channels: string[];
  /** Positions of the watched jobs, in order. */
  watched: number[];
  channelOf: Map<string, string>;
  subs: ReturnType<typeof createSubscriptions>;
  scale: Scale;
}

/** `scale.jobs` jobs one minute apart, newest first, the watched ones running, from `scale.channels` channels. */
export async function pollerWorld(
  ft: FineTuningEmulator,
  slack: SlackEmulator,
  ns: BenchNamespace,
  random: () => number,
  nowS: number,
  scale: Scale,
): Promise<PollerWorld> {
  const positions = pickWatched(random, scale);
  const ids: string[] = [];
  for (let p = 0; p < scale.jobs; p++) {
    const status = positions.has(p)
      ? 'running'
      : (['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'running'] as const)[
          Math.floor(random() * 6)
        ];
    ids.push(ft.addJob({ status, created_at: nowS - p * JOB_SPACING_S }).id);
  }
  const channels = Array.from(
    { length: scale.channels },
    (_, i) => `C0BENCH${String(i).padStart(3, '0')}`,
  );
  for (const id of channels) slack.addChannel({ id, name: id.toLowerCase() });
  const watched = [...positions].sort((a, b) => a - b);
  const channelOf = new Map<string, string>();
  const subs = createSubscriptions(ns.redis, ns.keys);
  // In batches: thousands of watches at once would open as many transactions.
  const watchOne = (p: number, i: number) => {
    const channel = channels[i % scale.channels]!;
    channelOf.set(ids[p]!, channel);
    return subs.watch(channel, ids[p]!);
  };
  for (let from = 0; from < watched.length; from += 500)
    await Promise.all(watched.slice(from, from + 500).map((p, k) => watchOne(p, from + k)));
  return { ids, channels, watched, channelOf, subs, scale };
}

/** Distinct positions: most among the newest jobs, a few among the older rest. */
function pickWatched(random: () => number, scale: Scale): Set<number> {
  const picked = new Set<number>();
  while (picked.size < scale.watchedRecent) picked.add(Math.floor(random() * scale.recentWindow));
  while (picked.size < scale.watchedRecent + scale.watchedOld)
    picked.add(scale.recentWindow + Math.floor(random() * (scale.jobs - scale.recentWindow)));
  return picked;
}
