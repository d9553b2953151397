import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../src/store/keys.ts';
import {
  createBullConnection,
  deleteNamespace,
  forEachPrimary,
  type RedisTarget,
} from '../../src/store/redis.ts';

/**
 * The Redis every test talks to: the real one, never a mock. Tests take a namespace of their
 * own (`openTestRedis`) and delete it afterwards.
 *
 * `FT_TEST_REDIS=cluster` runs the same tests on the local Redis Cluster that
 * `scripts/redis-cluster.sh start` starts (seeds on 127.0.0.1:7001-7003, or
 * `FT_TEST_REDIS_CLUSTER_URL`); anything else, on the single server at `REDIS_URL`.
 */
export const TOPOLOGY: 'cluster' | 'standalone' =
  process.env.FT_TEST_REDIS === 'cluster' ? 'cluster' : 'standalone';

const CLUSTER_SEEDS = 'redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003';

/** REDIS_URL as ftops reads it: one URL, or the cluster's seeds as a comma list. */
export const REDIS_URL =
  TOPOLOGY === 'cluster'
    ? (process.env.FT_TEST_REDIS_CLUSTER_URL ?? CLUSTER_SEEDS)
    : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

/** The Redis variables an app under test is started with. */
export const REDIS_ENV: Record<string, string> =
  TOPOLOGY === 'cluster' ? { REDIS_URL, REDIS_CLUSTER: 'true' } : { REDIS_URL };

/** The test Redis as a connection target, for `createRedis` and `createRedisConnector`. */
export const TEST_REDIS: RedisTarget = {
  url: REDIS_URL.split(',')[0] as string,
  urls: REDIS_URL.split(','),
  cluster: TOPOLOGY === 'cluster',
  auth: { type: 'none' },
};

/**
 * The single server on 6379, for the tests that need one whatever the topology: ACL users,
 * CONFIG, a server of their own to stop and start.
 */
export const STANDALONE_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  redis: Redis;
  keys: Keys;
  namespace: string;
  cleanup(): Promise<void>;
}

/** Opens a connection with a fresh namespace; `cleanup` deletes its keys and quits. */
export function openTestRedis(): TestRedis {
  const namespace = `test-${randomUUID()}`;
  const keys = createKeys(namespace);
  const redis = createBullConnection(TEST_REDIS);
  return {
    redis,
    keys,
    namespace,
    async cleanup() {
      await deleteNamespace(redis, keys.bullPrefix);
      await redis.quit();
    },
  };
}

/** Every key matching `pattern`, from every primary on a cluster (KEYS sees one node only). */
export async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const found = await forEachPrimary(redis, (node) => node.keys(pattern));
  return found.flat().sort();
}
