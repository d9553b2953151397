import type { Redis } from 'ioredis';

/** How many replicas each client's primary had when last asked, and when. */
const replicasSeen = new WeakMap<Redis, { count: number; at: number }>();
const REPLICAS_FRESH_MS = 10_000;

/**
 * Waits, at most `timeoutMs`, until a replica of the primary serving `key` has every write
 * this client made there (`WAIT 1 <timeout>`), and answers how many replicas have them.
 *
 * Replication is asynchronous: a primary that acknowledged a write and then died before
 * passing it on loses it when its replica takes over. After a decisive write (a vote, an
 * approval) and before acting on it, this narrows that window to the replication delay,
 * usually well under a millisecond. It never fails the caller: a primary with no replica
 * (a single Redis) answers 0 at once, without WAIT, which would block for its whole timeout
 * there; a slow or absent replica answers 0 after the timeout. On a cluster the WAIT goes
 * in a pipeline with a read of `key`, so it reaches the node that took the write.
 */
export async function waitForReplica(
  redis: Redis,
  key: string,
  timeoutMs: number,
): Promise<number> {
  try {
    const seen = replicasSeen.get(redis);
    let replicas = seen && Date.now() - seen.at < REPLICAS_FRESH_MS ? seen.count : undefined;
    if (replicas === undefined) {
      const [, role] = (await redis.pipeline().exists(key).role().exec()) ?? [];
      const reply = role?.[1] as [string, number, unknown[]] | undefined;
      replicas = reply?.[0] === 'master' && Array.isArray(reply[2]) ? reply[2].length : 0;
      replicasSeen.set(redis, { count: replicas, at: Date.now() });
    }
    if (replicas === 0) return 0;
    const [, waited] = (await redis.pipeline().exists(key).wait(1, timeoutMs).exec()) ?? [];
    return waited && !waited[0] ? Number(waited[1]) : 0;
  } catch {
    // The write itself succeeded; whether a replica has it yet is only ever best effort.
    return 0;
  }
}
