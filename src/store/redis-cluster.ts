import { Cluster, type Redis } from 'ioredis';

/** What differs between one Redis server and a Redis Cluster, for code that must know. */

/** True when `redis` is a cluster client. */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown) instanceof Cluster;
}

/** Runs `op` on every primary of a cluster, or on the one server. */
export async function forEachPrimary<T>(
  redis: Redis,
  op: (node: Redis) => Promise<T>,
): Promise<T[]> {
  if (!isCluster(redis)) return [await op(redis)];
  const cluster = redis as unknown as Cluster;
  // Before the first command a cluster client has not discovered its nodes yet.
  if (cluster.status !== 'ready') await cluster.ping();
  return Promise.all(cluster.nodes('master').map(op));
}

/**
 * Deletes every key of a namespace (`keys.bullPrefix*`), in SCAN pages so a large one never
 * blocks Redis; for tests, the sandbox's private data, benchmarks and the chaos battery. On a
 * cluster every primary is scanned (SCAN sees one node's keys only).
 */
export async function deleteNamespace(redis: Redis, prefix: string): Promise<number> {
  const counts = await forEachPrimary(redis, async (node) => {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (found.length === 0) continue;
      // One DEL per key: a node's keys may sit in several slots, and DEL of several is refused
      // across slots (CROSSSLOT).
      const replies = await node.pipeline(found.map((key) => ['del', key])).exec();
      for (const [err, n] of replies ?? []) if (!err) deleted += Number(n);
    } while (cursor !== '0');
    return deleted;
  });
  return counts.reduce((a, b) => a + b, 0);
}
