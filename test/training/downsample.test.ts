import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsample } from '../../src/training/downsample.ts';
import { estimateFinish, stepRate } from '../../src/training/estimate.ts';
import { isValidationPoint } from '../../src/training/fields.ts';
import { emptySeries, mergePoints, mergeSeries } from '../../src/training/series.ts';
import type { MetricPoint } from '../../src/training/types.ts';

const pointsArb = fc
  .array(
    fc.record({
      trainLoss: fc.option(
        fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.constant(Number.NaN)),
        { nil: undefined, freq: 10 },
      ),
      validLoss: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), {
        nil: undefined,
        freq: 1,
      }),
    }),
    { minLength: 1, maxLength: 3_000 },
  )
  .map((rows) =>
    rows.map((r, i) => {
      const p: MetricPoint = { step: i * 3 + 1 };
      if (r.trainLoss !== undefined) p.trainLoss = r.trainLoss;
      if (r.validLoss !== undefined) p.validLoss = r.validLoss;
      return p;
    }),
  );

const minBy = (ps: readonly MetricPoint[], f: (p: MetricPoint) => number | undefined) =>
  ps.reduce<MetricPoint | undefined>((best, p) => {
    const v = f(p);
    if (v === undefined || !Number.isFinite(v)) return best;
    return best === undefined || v < f(best)! ? p : best;
  }, undefined);

describe('downsample', () => {
  it('bounds the series, in order, keeping the first, last, minima and validation points', () => {
    fc.assert(
      fc.property(pointsArb, fc.integer({ min: 2, max: 600 }), (points, max) => {
        const out = downsample(points, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, 8));
        for (let i = 1; i < out.length; i++) expect(out[i]!.step).toBeGreaterThan(out[i - 1]!.step);
        expect(out[0]).toBe(points[0]);
        expect(out.at(-1)).toBe(points.at(-1));
        const minTrain = minBy(points, (p) => p.trainLoss);
        const minValid = minBy(points, (p) => p.validLoss);
        if (minTrain) expect(out).toContain(minTrain);
        if (minValid) expect(out).toContain(minValid);
        const validation = points.filter(isValidationPoint);
        if (validation.length + 5 <= max) for (const v of validation) expect(out).toContain(v);
      }),
    );
  });

  it('cuts 200,000 steps validated every 100 to 500 points with every validation point', () => {
    const points = Array.from({ length: 200_000 }, (_, i) => {
      const p: MetricPoint = { step: i + 1, trainLoss: 2 / Math.sqrt(i + 1) };
      if ((i + 1) % 1000 === 0) p.validLoss = 2.1 / Math.sqrt(i + 1);
      return p;
    });
    const out = downsample(points, 500);
    expect(out).toHaveLength(500);
    expect(out.filter(isValidationPoint)).toHaveLength(200);
    expect(out.at(-1)!.step).toBe(200_000);
  });
});

describe('merging and the finish estimate', () => {
  it('merges by step, the newer fields winning one by one', () => {
    expect(
      mergePoints(
        [
          { step: 1, trainLoss: 2, at: 5 },
          { step: 2, trainLoss: 1.5 },
        ],
        [
          { step: 1, validLoss: 2.2 },
          { step: 3, trainLoss: 1 },
        ],
      ),
    ).toEqual([
      { step: 1, trainLoss: 2, validLoss: 2.2, at: 5 },
      { step: 2, trainLoss: 1.5 },
      { step: 3, trainLoss: 1 },
    ]);
    const s = mergeSeries(emptySeries('ftjob-a'), {
      points: [{ step: 1 }],
      totalSteps: 9,
      checkpoints: [{ step: 3 }, { step: 1 }],
      pauseChanges: [{ kind: 'pause', step: 1 }],
    });
    expect(s).toEqual({
      jobId: 'ftjob-a',
      points: [{ step: 1 }],
      totalSteps: 9,
      checkpoints: [{ step: 1 }, { step: 3 }],
      pauses: [{ fromStep: 1 }],
    });
  });

  it('takes the service’s estimate, treats 0 as unknown and then labels its own', () => {
    const points = Array.from({ length: 30 }, (_, i) => ({ step: i * 2, at: 1_000 + i * 4 }));
    expect(stepRate(points)).toBe(0.5);
    expect(estimateFinish({ estimatedFinish: 5_000, points, totalSteps: 100 })).toEqual({
      at: 5_000,
      source: 'service',
    });
    // Last point: step 58 at 1116; 42 steps left at 0.5 step/s.
    expect(estimateFinish({ estimatedFinish: 0, points, totalSteps: 100 })).toEqual({
      at: 1_116 + 84,
      source: 'ftops',
    });
    expect(estimateFinish({ estimatedFinish: null, points: [], totalSteps: 100 })).toBeUndefined();
    expect(estimateFinish({ points: [{ step: 1 }, { step: 2 }], totalSteps: 9 })).toBeUndefined();
  });
});
