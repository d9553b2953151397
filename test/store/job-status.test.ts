import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createJobStatusStore,
  type JobStatusStore,
  readActor,
  recordActor,
} from '../../src/store/job-status.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
let store: JobStatusStore;

beforeEach(() => {
  t = openTestRedis();
  store = createJobStatusStore(t.redis, t.keys);
});
afterEach(async () => {
  await t.cleanup();
});

const job = { id: 'ftjob-a', status: 'paused' };

describe('job status store', () => {
  it('records a first sighting once, with no transition', async () => {
    expect(
      await store.recordFirstSight({ jobId: 'ftjob-a', status: 'running', createdAt: 100, now: 1 }),
    ).toBe(true);
    expect(
      await store.recordFirstSight({ jobId: 'ftjob-a', status: 'paused', createdAt: 100, now: 2 }),
    ).toBe(false);
    const state = (await store.getMany(['ftjob-a', 'ftjob-none'])).get('ftjob-a');
    expect(state).toEqual({ status: 'running', seq: 0, changedAt: 1, createdAt: 100, by: null });
    expect(await store.pendingTransitions()).toEqual([]);
    expect(await store.trackedJobs()).toEqual([{ jobId: 'ftjob-a', createdAt: 100 }]);
  });

  it('does not track a job first seen finished', async () => {
    await store.recordFirstSight({ jobId: 'ftjob-a', status: 'succeeded', createdAt: 100, now: 1 });
    expect(await store.trackedJobs()).toEqual([]);
  });

  it('compare-and-set lets exactly one of many concurrent writers record a change', async () => {
    await store.recordFirstSight({ jobId: 'ftjob-a', status: 'running', createdAt: 100, now: 1 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.compareAndSet({
          jobId: 'ftjob-a',
          expected: 'running',
          next: 'paused',
          now: 2,
          by: 'outside',
          job,
        }),
      ),
    );
    expect(results.filter((s) => s > 0)).toEqual([1]);
    const pending = await store.pendingTransitions();
    expect(pending).toEqual([
      { jobId: 'ftjob-a', seq: 1, from: 'running', to: 'paused', at: 2, by: 'outside', job },
    ]);
    expect((await store.getMany(['ftjob-a'])).get('ftjob-a')).toMatchObject({
      status: 'paused',
      seq: 1,
      by: 'outside',
    });
  });

  it('numbers transitions per job and keeps them until acknowledged', async () => {
    await store.recordFirstSight({ jobId: 'ftjob-a', status: 'running', createdAt: 100, now: 1 });
    const actor = { userId: 'U1', action: 'pause', at: 5 };
    expect(
      await store.compareAndSet({
        jobId: 'ftjob-a',
        expected: 'running',
        next: 'pausing',
        now: 6,
        by: actor,
        job,
      }),
    ).toBe(1);
    expect(
      await store.compareAndSet({
        jobId: 'ftjob-a',
        expected: 'running',
        next: 'paused',
        now: 7,
        by: actor,
        job,
      }),
    ).toBe(0);
    expect(
      await store.compareAndSet({
        jobId: 'ftjob-a',
        expected: 'pausing',
        next: 'paused',
        now: 7,
        by: actor,
        job,
      }),
    ).toBe(2);
    expect((await store.pendingTransitions()).map((x) => [x.seq, x.from, x.to, x.by])).toEqual([
      [1, 'running', 'pausing', actor],
      [2, 'pausing', 'paused', actor],
    ]);
    await store.ackTransition('ftjob-a', 1);
    expect((await store.pendingTransitions()).map((x) => x.seq)).toEqual([2]);
  });

  it('stops tracking a job once it is finished', async () => {
    await store.recordFirstSight({ jobId: 'ftjob-a', status: 'running', createdAt: 100, now: 1 });
    await store.recordFirstSight({ jobId: 'ftjob-b', status: 'queued', createdAt: 50, now: 1 });
    await store.compareAndSet({
      jobId: 'ftjob-a',
      expected: 'running',
      next: 'failed',
      now: 2,
      by: null,
      job,
    });
    expect(await store.trackedJobs()).toEqual([{ jobId: 'ftjob-b', createdAt: 50 }]);
  });

  it('never records a change for a job it has not seen', async () => {
    expect(
      await store.compareAndSet({
        jobId: 'ftjob-x',
        expected: 'running',
        next: 'paused',
        now: 2,
        by: null,
        job,
      }),
    ).toBe(0);
    expect(await store.pendingTransitions()).toEqual([]);
  });

  it('keeps the actor of a command for the announcement', async () => {
    expect(await readActor(t.redis, t.keys, 'ftjob-a')).toBeNull();
    await recordActor(t.redis, t.keys, 'ftjob-a', { userId: 'U123', action: 'pause', at: 42 });
    expect(await readActor(t.redis, t.keys, 'ftjob-a')).toEqual({
      userId: 'U123',
      action: 'pause',
      at: 42,
    });
    expect(await t.redis.ttl(t.keys.actor('ftjob-a'))).toBeGreaterThan(0);
  });

  it('records a batch of first sights in one step, each once, and reads thousands back', async () => {
    await store.recordFirstSight({ jobId: 'ftjob-0', status: 'running', createdAt: 1, now: 1 });
    const sights = Array.from({ length: 2_500 }, (_, i) => ({
      jobId: `ftjob-${i}`,
      status: i % 2 ? 'succeeded' : 'running',
      createdAt: 10 + i,
      now: 5,
    }));
    const recorded = await store.recordFirstSights(sights);
    expect(recorded[0]).toBe(false);
    expect(recorded.filter(Boolean)).toHaveLength(2_499);
    const known = await store.getMany([...sights.map((s) => s.jobId), 'ftjob-none']);
    expect(known.size).toBe(2_500);
    expect(known.get('ftjob-0')).toEqual({
      status: 'running',
      seq: 0,
      changedAt: 1,
      createdAt: 1,
      by: null,
    });
    expect(known.get('ftjob-7')).toEqual({
      status: 'succeeded',
      seq: 0,
      changedAt: 5,
      createdAt: 17,
      by: null,
    });
    // Finished ones are not tracked and expire; running ones are tracked, a page at a time.
    expect(await t.redis.ttl(t.keys.lastStatus('ftjob-7'))).toBeGreaterThan(0);
    const tracked: string[] = [];
    for await (const page of store.scanTrackedJobIds(100)) tracked.push(...page);
    expect(new Set(tracked).size).toBe(1_250);
    expect(tracked).toContain('ftjob-2');
    expect(tracked).not.toContain('ftjob-7');
  });
});
