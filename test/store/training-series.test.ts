import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTrainingSeriesStore,
  SERIES_TTL_SECONDS,
  type TrainingSeriesStore,
} from '../../src/store/training-series.ts';
import type { MetricPoint } from '../../src/training/types.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
let store: TrainingSeriesStore;

beforeEach(() => {
  t = openTestRedis();
  store = createTrainingSeriesStore(t.redis, t.keys, { maxPoints: 50 });
});

afterEach(async () => {
  await t.cleanup();
});

const JOB = 'azure-eastus:ftjob-abc123';

describe('the training series store', () => {
  it('has nothing for a job never read', async () => {
    expect(await store.get(JOB)).toBeNull();
    expect(await store.read(JOB)).toBeNull();
  });

  it('merges points by step, keeps the cursor moving forward, and reads back what it wrote', async () => {
    await store.merge(JOB, {
      points: [
        { step: 1, trainLoss: 2, at: 100 },
        { step: 2, trainLoss: Number.NaN, at: 101 },
      ],
      totalSteps: 10,
      cursor: { id: 'ftevent-2', at: 101 },
      pauseChanges: [{ kind: 'pause', step: 2 }],
      checkpoints: [{ step: 2, id: 'ftckpt_a', metrics: { validLoss: 1.5 } }],
    });
    const after = await store.merge(JOB, {
      points: [
        { step: 2, validLoss: Number.POSITIVE_INFINITY },
        { step: 3, trainLoss: 1.5 },
      ],
      cursor: { id: 'ftevent-1', at: 50 },
      resultFile: 'file-xyz',
    });
    expect(after.version).toBe(2);
    const read = await store.read(JOB);
    expect(read).toEqual(after);
    expect(read).toMatchObject({
      cursor: { id: 'ftevent-2', at: 101 },
      resultFile: 'file-xyz',
      series: {
        jobId: JOB,
        totalSteps: 10,
        points: [
          { step: 1, trainLoss: 2, at: 100 },
          { step: 2, trainLoss: Number.NaN, validLoss: Number.POSITIVE_INFINITY, at: 101 },
          { step: 3, trainLoss: 1.5 },
        ],
        checkpoints: [{ step: 2, id: 'ftckpt_a', metrics: { validLoss: 1.5 } }],
        pauses: [{ fromStep: 2 }],
      },
    });
    const ttl = await t.redis.ttl(t.keys.series(JOB));
    expect(ttl).toBeGreaterThan(SERIES_TTL_SECONDS - 10);
    expect(t.keys.series(JOB)).toBe(`{${t.namespace}}:series:${JOB}`);
  });

  it('stays bounded, with the minimum and the last point', async () => {
    for (let batch = 0; batch < 20; batch++) {
      const points: MetricPoint[] = Array.from({ length: 25 }, (_, i) => {
        const step = batch * 25 + i + 1;
        return { step, trainLoss: step === 137 ? 0.01 : 1 + 1 / step };
      });
      await store.merge(JOB, { points });
    }
    const s = (await store.get(JOB))!;
    expect(s.points.length).toBeLessThanOrEqual(50);
    expect(s.points.at(-1)!.step).toBe(500);
    expect(s.points.some((p) => p.step === 137)).toBe(true);
  });

  it('loses no points when readers merge at once (compare-and-set)', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, r) =>
        store.merge(JOB, { points: [{ step: r + 1, trainLoss: r }] }),
      ),
    );
    const s = (await store.read(JOB))!;
    expect(s.series.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.version).toBe(6);
  });

  it('reads a garbled hash as an empty series instead of failing', async () => {
    await t.redis.hset(t.keys.series(JOB), 'v', '3', 'data', '{not json', 'cursor', '[]');
    expect(await store.read(JOB)).toEqual({
      series: { jobId: JOB, points: [], checkpoints: [], pauses: [] },
      version: 3,
    });
    await store.delete(JOB);
    expect(await store.get(JOB)).toBeNull();
  });
});
