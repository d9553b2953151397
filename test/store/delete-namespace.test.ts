import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/store/keys.ts';
import { createRedis, deleteNamespace } from '../../src/store/redis.ts';
import { REDIS_URL } from '../support/redis.ts';

const redis = createRedis(REDIS_URL);
afterAll(async () => {
  await redis.quit();
});

describe('deleteNamespace', () => {
  it('deletes every key of one namespace, over several SCAN pages, and nothing of another', async () => {
    const mine = createKeys(`test-${randomUUID()}`);
    const other = createKeys(`test-${randomUUID()}`);
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2500; i++) pipeline.set(`${mine.bullPrefix}:k${i}`, 'x');
    pipeline.set(`${other.bullPrefix}:kept`, 'y');
    await pipeline.exec();

    expect(await deleteNamespace(redis, mine.bullPrefix)).toBe(2500);
    expect(await redis.keys(`${mine.bullPrefix}*`)).toEqual([]);
    expect(await redis.get(`${other.bullPrefix}:kept`)).toBe('y');
    expect(await deleteNamespace(redis, other.bullPrefix)).toBe(1);
  });
});
