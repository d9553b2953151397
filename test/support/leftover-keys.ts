import { Redis } from 'ioredis';
import { REDIS_URL } from './redis.ts';

const PATTERN = '{test-*';

async function testKeys(): Promise<string[]> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', PATTERN, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  } finally {
    redis.disconnect();
  }
}

/**
 * Every test deletes its namespace: after the whole run no `{test-…}` key may be left in
 * Redis. Keys from an earlier, interrupted run are cleared first so they are not blamed here.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const stale = await testKeys().catch(() => []);
  if (stale.length > 0) {
    const redis = new Redis(REDIS_URL);
    for (let i = 0; i < stale.length; i += 500) await redis.del(...stale.slice(i, i + 500));
    redis.disconnect();
  }
  return async () => {
    const left = await testKeys();
    if (left.length > 0) {
      const sample = left.slice(0, 10).join(', ');
      // vitest reports an error thrown here but still exits 0, so set the exit code too.
      console.error(`\nThe tests left ${left.length} {test-…} keys in Redis, e.g. ${sample}\n`);
      process.exitCode = 1;
    }
  };
}
