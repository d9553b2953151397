import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../src/store/keys.ts';

/** Redis for tests: a unique namespace per test, and every key of it deleted afterwards. */
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
      await deleteNamespace(redis, keys);
      await redis.quit();
    },
  };
}

/** Deletes every key under the namespace's prefix (ours and BullMQ's). */
export async function deleteNamespace(redis: Redis, keys: Keys): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.bullPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}
