import { setTimeout as sleep } from 'node:timers/promises';
import { n, pick, shuffle } from '../../lib/campaign.ts';
import { sigkill } from '../../lib/kills.ts';
import type { Driver } from './driver.ts';
import type { Size } from './plan.ts';
import type { PostKiller, Slot, Workers } from './workers.ts';

/** What the kills came to. */
export interface Kills {
  bySlot: Record<Slot, number>;
  /** The Slack client names of the worker generations killed. */
  clients: Set<string>;
  postKills: number;
  randomKills: number;
  /** Post kills that waited for a post in vain and killed at random instead. */
  fallbacks: number;
  restarts: number;
  restartMs: number[];
}

/**
 * One worker at a time is SIGKILLed and restarted before the next kill; each kill cycle first
 * releases its share of the changes (kills + 1 equal parts, the last after the last kill), so
 * the workers have posts to make while a kill waits for one.
 */
export async function killAndRestart(
  run: { random: () => number; size: Size; full: boolean; log: (line: string) => void },
  workers: Workers,
  postKiller: PostKiller,
  driver: Driver,
  planned: number,
): Promise<Kills> {
  const { random, size } = run;
  const modes = shuffle(random, [
    ...Array.from({ length: size.postKills }, () => 'post' as const),
    ...Array.from({ length: size.kills - size.postKills }, () => 'random' as const),
  ]);
  const k: Kills = {
    bySlot: { A: 0, B: 0 },
    clients: new Set(),
    postKills: 0,
    randomKills: 0,
    fallbacks: 0,
    restarts: 0,
    restartMs: [],
  };
  const { current } = workers;
  for (const [i, mode] of modes.entries()) {
    driver.allowed = Math.ceil((planned * (i + 1)) / (size.kills + 1));
    let slot: Slot | null = null;
    if (mode === 'post') {
      // Whichever worker posts next is the one killed, between that post and its record.
      slot = await postKiller.next();
      if (slot) k.postKills++;
      else k.fallbacks++;
    }
    if (!slot) {
      slot = random() < 0.5 ? 'A' : 'B';
      await sleep(pick(random, 1500));
      const victim = current[slot];
      if (victim) await sigkill(victim.bot);
      k.randomKills++;
    }
    await current[slot]?.bot.exited;
    k.bySlot[slot]++;
    k.clients.add(current[slot]?.client ?? '');
    const restartAt = performance.now();
    await workers.start(slot);
    k.restartMs.push(performance.now() - restartAt);
    k.restarts++;
    if ((i + 1) % 10 === 0 || !run.full)
      run.log(
        `kill ${i + 1}/${size.kills} (${mode}): ${n(driver.made.length)} of ${n(planned)} changes made`,
      );
  }
  driver.allowed = planned;
  return k;
}
