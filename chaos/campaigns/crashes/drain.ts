import type { FineTuningJob } from '../../../src/api/schemas.ts';
import { waitUntil } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import { announcements, key, type Made } from './announcements.ts';
import type { Driver } from './driver.ts';
import type { Watched } from './setup.ts';

/** Lets the driver make the last changes and the workers record them; then stops it. */
export async function finishChanges(
  driver: Driver,
  statuses: Watched['statuses'],
  jobs: FineTuningJob[],
  planned: number,
): Promise<{ finished: boolean; recordedAll: boolean; unrecordedAtEnd: number }> {
  let unrecordedAtEnd = 0;
  const finished = await waitUntil(async () => driver.made.length >= planned, 120_000, 200);
  const recordedAll = await waitUntil(
    async () => {
      const known = await statuses.getMany(jobs.map((j) => j.id));
      unrecordedAtEnd = jobs.filter(
        (j) => (known.get(j.id)?.seq ?? -1) !== driver.done.get(j.id),
      ).length;
      return unrecordedAtEnd === 0;
    },
    30_000,
    200,
  );
  driver.halt();
  await driver.finished;
  return { finished, recordedAll, unrecordedAtEnd };
}

/**
 * Waits until every announcement due was posted and the notify queue and transition outbox
 * are empty, and stay so for 1.5 s; false if `drainMs` passes first.
 */
export async function drain(
  world: World,
  expected: ReadonlyMap<string, Made>,
  drainMs: number,
): Promise<{ settled: boolean; ms: number }> {
  const q = `${world.keys.bullPrefix}:ftops-notify`;
  const idle = async () => {
    const [active, wait, delayed, prioritized, outbox] = await Promise.all([
      world.redis.llen(`${q}:active`),
      world.redis.llen(`${q}:wait`),
      world.redis.zcard(`${q}:delayed`),
      world.redis.zcard(`${q}:prioritized`),
      world.redis.hlen(world.keys.transitionOutbox()),
    ]);
    return active + wait + delayed + prioritized + outbox === 0;
  };
  const drainStart = performance.now();
  let quietSince = 0;
  const settled = await waitUntil(
    async () => {
      const seen = new Set(announcements(world).map((a) => key(a.channel, a.jobId, a.seq)));
      const complete = [...expected.keys()].every((k) => seen.has(k));
      if (!complete || !(await idle())) {
        quietSince = 0;
        return false;
      }
      quietSince ||= performance.now();
      return performance.now() - quietSince > 1500;
    },
    drainMs,
    250,
  );
  return { settled, ms: performance.now() - drainStart };
}
