import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../src/store/keys.ts';
import { deleteNamespace } from '../../src/store/redis.ts';

/**
 * The Redis every test talks to: the real one, never a mock. Tests take a namespace of their
 * own (`openTestRedis`) and delete it afterwards.
 */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
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
