import { setTimeout as sleep } from 'node:timers/promises';
import type { FineTuningJob } from '../../../src/api/schemas.ts';
import { shuffle } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import type { Made } from './announcements.ts';
import { PATH, STEPS } from './plan.ts';
import type { Watched } from './setup.ts';

/** Makes the changes, each only once the workers recorded the job's previous one. */
export interface Driver {
  made: Made[];
  /** Steps taken per job. */
  done: Map<string, number>;
  /** How many changes may be made so far; the kill cycles release them in parts. */
  allowed: number;
  /** Resolves once every planned change is made and recorded, or the driver is halted. */
  finished: Promise<void>;
  halt(): void;
}

export function startDriver(
  world: World,
  statuses: Watched['statuses'],
  jobs: FineTuningJob[],
  random: () => number,
  planned: number,
): Driver {
  let driving = true;
  const driver: Driver = {
    made: [],
    done: new Map(jobs.map((j) => [j.id, 0])),
    allowed: 0,
    finished: Promise.resolve(),
    halt: () => {
      driving = false;
    },
  };
  const { made, done } = driver;
  driver.finished = (async () => {
    const ids = jobs.map((j) => j.id);
    while (driving) {
      const known = await statuses.getMany(ids);
      let waiting = 0;
      for (const id of shuffle(random, [...ids])) {
        const d = done.get(id) ?? 0;
        if (d >= STEPS) continue;
        if ((known.get(id)?.seq ?? -1) !== d) {
          waiting++;
          continue;
        }
        if (made.length >= driver.allowed) continue;
        const from = PATH[d] as string;
        const to = PATH[d + 1] as string;
        world.ft.setStatus(id, to);
        done.set(id, d + 1);
        made.push({ jobId: id, seq: d + 1, from, to });
        waiting++;
      }
      if (made.length >= planned && waiting === 0) return;
      await sleep(100);
    }
  })();
  return driver;
}
