import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/store/keys.ts';
import { createRedis, deleteNamespace, waitForReplica } from '../../src/store/redis.ts';
import { TEST_REDIS, TOPOLOGY } from '../support/redis.ts';

const redis = createRedis(TEST_REDIS);
const keys = createKeys(`test-${randomUUID()}`);
afterAll(async () => {
  await deleteNamespace(redis, keys.bullPrefix);
  await redis.quit();
});

describe('waitForReplica (WAIT 1 after a decisive write)', () => {
  it('answers at once with 0 on a primary without replicas, and 1 on the cluster', async () => {
    const key = keys.approval('abc');
    await redis.hset(key, 'state', 'approved');
    const t0 = performance.now();
    const replicas = await waitForReplica(redis, key, 1000);
    const ms = performance.now() - t0;
    // The local Redis has no replica: no WAIT (it would block its whole second); every primary
    // of the test cluster has one, which has the write well within the timeout.
    expect(replicas).toBe(TOPOLOGY === 'cluster' ? 1 : 0);
    expect(ms).toBeLessThan(500);
    // A second call uses the replica count it learnt.
    await redis.hset(key, 'state', 'executed');
    expect(await waitForReplica(redis, key, 1000)).toBe(TOPOLOGY === 'cluster' ? 1 : 0);
  });
});
