import type { FineTuningJob } from '../../../src/api/schemas.ts';
import { createJobStatusStore } from '../../../src/store/job-status.ts';
import { createSubscriptions } from '../../../src/store/subscriptions.ts';
import { pick, shuffle } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import { type Size, STEPS } from './plan.ts';

export interface Watched {
  channels: string[];
  jobs: FineTuningJob[];
  /** The channels watching each job. */
  watchers: Map<string, string[]>;
  statuses: ReturnType<typeof createJobStatusStore>;
  /** Announcements due: one per change and watching channel. */
  due: number;
  /** Changes to make: every job walks the whole path. */
  planned: number;
}

/** Channels, running jobs, and watches with a baseline, as `/ft watch` leaves them. */
export async function watchedJobs(
  world: World,
  random: () => number,
  size: Size,
): Promise<Watched> {
  const channels = Array.from(
    { length: size.channels },
    (_, i) => `C0CRASH${String(i).padStart(2, '0')}`,
  );
  for (const [i, id] of channels.entries()) world.slack.addChannel({ id, name: `crash-${i}` });
  const subs = createSubscriptions(world.redis, world.keys);
  const statuses = createJobStatusStore(world.redis, world.keys);
  const jobs = Array.from({ length: size.jobs }, () => world.ft.addJob({ status: 'running' }));
  const watchers = new Map<string, string[]>();
  for (const [i, job] of jobs.entries()) {
    // Every channel watches something; each job is watched by one to three channels.
    const extra = shuffle(
      random,
      channels.filter((c) => c !== channels[i % channels.length]),
    );
    const chosen = [channels[i % channels.length] as string, ...extra.slice(0, pick(random, 3))];
    watchers.set(job.id, chosen);
    for (const c of chosen) await subs.watch(c, job.id);
    await statuses.recordFirstSight({
      jobId: job.id,
      status: job.status,
      createdAt: job.created_at ?? 0,
      now: Date.now(),
    });
  }
  const due = jobs.reduce((sum, j) => sum + (watchers.get(j.id)?.length ?? 0) * STEPS, 0);
  return { channels, jobs, watchers, statuses, due, planned: size.jobs * STEPS };
}
