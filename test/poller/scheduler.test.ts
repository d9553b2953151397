import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPoller } from '../../src/poller/index.ts';
import { PollScheduler } from '../../src/poller/poll-scheduler.ts';
import { keysMatching, TEST_REDIS } from '../support/redis.ts';
import { CHANNEL, type Harness, startHarness, waitFor } from './harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('the sweep schedule', () => {
  it('fires sweeps on its own, and stays one schedule however many processes upsert it', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const deps = {
      redis: TEST_REDIS,
      keys: h.keys,
      client: h.client,
      slack: h.web,
      intervalSeconds: 1,
      paceMs: 0,
    };
    const first = await startPoller(deps);
    const second = await startPoller(deps);
    const scheduler = new PollScheduler({ connection: h.redis, keys: h.keys });
    try {
      await scheduler.upsert(1);
      expect(await scheduler.queue.getJobSchedulersCount()).toBe(1);
      const [s] = await scheduler.queue.getJobSchedulers();
      expect(s).toMatchObject({ key: 'sweep', every: 1000 });

      // A scheduled sweep records the job; a later one announces its change.
      await waitFor(
        async () => (await h.redis.hget(h.keys.lastStatus(job.id), 'status')) === 'running',
      );
      h.ft.setStatus(job.id, 'paused');
      await waitFor(() => h.messages(CHANNEL).length > 0);
      expect(h.messages(CHANNEL)).toHaveLength(1);
      expect(h.messages(CHANNEL)[0]?.text).toContain('paused');
    } finally {
      await scheduler.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('comes back on its own when Redis loses it', async () => {
    const job = h.ft.addJob({ status: 'running' });
    const poller = await startPoller({
      redis: TEST_REDIS,
      keys: h.keys,
      client: h.client,
      slack: h.web,
      intervalSeconds: 1,
      paceMs: 0,
      scheduleCheckMs: 200,
    });
    const scheduler = new PollScheduler({ connection: h.redis, keys: h.keys });
    try {
      // What a Redis restarted without its data looks like to this namespace: nothing at all.
      const wipe = async () => {
        const keys = await keysMatching(h.redis, `${h.keys.bullPrefix}*`);
        if (keys.length > 0) await h.redis.del(...keys);
      };
      await wipe();
      expect(await scheduler.queue.getJobScheduler('sweep')).toBeFalsy();
      await h.subs.watch(CHANNEL, job.id);
      await waitFor(async () => Boolean(await scheduler.queue.getJobScheduler('sweep')));
      await waitFor(
        async () => (await h.redis.hget(h.keys.lastStatus(job.id), 'status')) === 'running',
      );
      h.ft.setStatus(job.id, 'paused');
      await waitFor(() => h.messages(CHANNEL).length > 0);
      expect(h.messages(CHANNEL)[0]?.text).toContain('paused');
    } finally {
      await scheduler.close();
      await poller.close();
    }
  });
});
