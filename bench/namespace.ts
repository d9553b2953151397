import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys, type Keys } from '../src/store/keys.ts';
import { deleteNamespace } from '../src/store/redis.ts';

/** The Redis the benches use, like the tests: REDIS_URL or the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh `bench-<uuid>` namespace with a connection; `cleanup` deletes all its keys. */
export interface BenchNamespace {
  namespace: string;
  keys: Keys;
  redis: Redis;
  cleanup(): Promise<void>;
}

/** Opens a bench namespace; nothing outside it is ever touched. */
export function openNamespace(): BenchNamespace {
  const namespace = `bench-${randomUUID()}`;
  const keys = createKeys(namespace);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return {
    namespace,
    keys,
    redis,
    async cleanup() {
      await deleteNamespace(redis, keys.bullPrefix);
      await redis.quit();
    },
  };
}
