import type { FineTuningJob } from '../../../src/api/schemas.ts';
import type { World } from '../../lib/world.ts';
import { type Announced, key, type Made } from './announcements.ts';
import { PATH } from './plan.ts';
import type { Slot } from './workers.ts';

/** The posts Slack accepted, counted per channel, job and change. */
export interface Count {
  posted: Announced[];
  lost: string[];
  mismatched: number;
  unexpected: number;
  byClient: Record<Slot, number>;
  duplicates: number;
  duplicatesOfInterrupted: number;
  /** Extra copies first posted by a worker that was never killed. */
  unexplained: number;
  mostFromOneKill: number;
}

export function countPosts(
  posted: Announced[],
  expected: ReadonlyMap<string, Made>,
  interrupted: readonly string[],
  killedClients: ReadonlySet<string>,
): Count {
  // Who posted each copy of each announcement, in the order Slack accepted them.
  const copies = new Map<string, string[]>();
  let mismatched = 0;
  let unexpected = 0;
  const byClient: Record<Slot, number> = { A: 0, B: 0 };
  for (const a of posted) {
    const k = key(a.channel, a.jobId, a.seq);
    const m = expected.get(k);
    if (!m) unexpected++;
    else if (m.from !== a.from || m.to !== a.to) mismatched++;
    copies.set(k, [...(copies.get(k) ?? []), a.client ?? '?']);
    if (a.client?.startsWith('wA')) byClient.A++;
    if (a.client?.startsWith('wB')) byClient.B++;
  }
  const lost = [...expected.keys()].filter((k) => !copies.has(k));
  // Every copy but the last of a duplicated announcement must come from a worker that was
  // killed before it could record the post; group those copies by the killed worker.
  let duplicates = 0;
  let duplicatesOfInterrupted = 0;
  let unexplained = 0;
  const perKill = new Map<string, number>();
  const interruptedSet = new Set(interrupted);
  for (const [k, by] of copies) {
    if (by.length <= 1 || !expected.has(k)) continue;
    duplicates += by.length - 1;
    if (interruptedSet.has(k)) duplicatesOfInterrupted += by.length - 1;
    for (const client of by.slice(0, -1)) {
      if (killedClients.has(client)) perKill.set(client, (perKill.get(client) ?? 0) + 1);
      else unexplained++;
    }
  }
  return {
    posted,
    lost,
    mismatched,
    unexpected,
    byClient,
    duplicates,
    duplicatesOfInterrupted,
    unexplained,
    mostFromOneKill: Math.max(0, ...perKill.values()),
  };
}

/** Live cards: the card each (job, channel) record points at shows the job's last change. */
export async function liveCards(
  world: World,
  jobs: FineTuningJob[],
  watchers: ReadonlyMap<string, string[]>,
  done: ReadonlyMap<string, number>,
): Promise<{ total: number; current: number }> {
  let total = 0;
  let current = 0;
  for (const job of jobs) {
    for (const c of watchers.get(job.id) ?? []) {
      total++;
      const ts = await world.redis.hget(world.keys.card(job.id, c), 'ts');
      const msg = world.slack.messages.get(c)?.find((m) => m.ts === ts && !m.thread_ts);
      const p = msg?.metadata?.event_payload;
      if (p && Number(p.seq) === done.get(job.id) && p.to === PATH[done.get(job.id) ?? 0])
        current++;
    }
  }
  return { total, current };
}
