import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/store/keys.ts';
import { createRedis, deleteNamespace } from '../../src/store/redis.ts';
import { keysMatching, TEST_REDIS } from '../support/redis.ts';

const redis = createRedis(TEST_REDIS);
afterAll(async () => {
  await redis.quit();
});

describe('deleteNamespace', () => {
  it('deletes every key of one namespace, over several SCAN pages, and nothing of another', async () => {
    const mine = createKeys(`test-${randomUUID()}`);
    const other = createKeys(`test-${randomUUID()}`);
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2500; i++) pipeline.set(`${mine.bullPrefix}:k${i}`, 'x');
    await pipeline.exec();
    // Apart: on a cluster one pipeline holds the keys of one slot only.
    await redis.set(`${other.bullPrefix}:kept`, 'y');

    expect(await deleteNamespace(redis, mine.bullPrefix)).toBe(2500);
    expect(await keysMatching(redis, `${mine.bullPrefix}*`)).toEqual([]);
    expect(await redis.get(`${other.bullPrefix}:kept`)).toBe('y');
    expect(await deleteNamespace(redis, other.bullPrefix)).toBe(1);
  });

  it('finds keys on every node: a prefix whose keys sit in many slots', async () => {
    // `{test-<id>-<n>}` are 200 hash tags, so on a cluster the keys spread over all primaries.
    const stem = `{test-${randomUUID()}`;
    const tags = Array.from({ length: 200 }, (_, n) => `${stem}-${n}}`);
    await Promise.all(tags.map((tag) => redis.set(`${tag}:k`, 'x')));

    expect(await deleteNamespace(redis, stem)).toBe(200);
    expect(await keysMatching(redis, `${stem}*`)).toEqual([]);
  });
});
