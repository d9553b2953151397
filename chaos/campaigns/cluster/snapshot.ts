// What must come through a failover or a slot move unchanged: every subscription (each job's
// watchers, `watch all`, the watched set), read by name, so the cluster routes each read to the
// primary serving the slot wherever it is now.
import type { World } from '../../lib/world.ts';

export async function clusterState(
  w: World,
  jobIds: readonly string[],
): Promise<Map<string, string>> {
  const { keys, redis } = w;
  const out = new Map<string, string>();
  // Only the planned jobs: an approved pause also watches its job for the asking channel.
  const mine = new Set(jobIds);
  const watched = (await redis.smembers(keys.watchedJobs())).filter((j) => mine.has(j)).sort();
  out.set(keys.watchedJobs(), JSON.stringify(watched));
  out.set(keys.watchAllChannels(), hash(await redis.hgetall(keys.watchAllChannels())));
  for (const job of watched)
    out.set(keys.jobWatchers(job), hash(await redis.hgetall(keys.jobWatchers(job))));
  return out;
}

function hash(h: Record<string, string>): string {
  return JSON.stringify(Object.entries(h).sort());
}
