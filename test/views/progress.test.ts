import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateCost, priceFor } from '../../src/training/estimate.ts';
import type { MetricPoint, TrainingSeries } from '../../src/training/types.ts';
import { jobCard } from '../../src/views/job-card.ts';
import {
  BAR_EMPTY,
  BAR_FILLED,
  epochsOf,
  formatDollars,
  formatLoss,
  progressBar,
  progressBlocks,
  progressText,
  SPARK_LEVELS,
  sparkline,
} from '../../src/views/progress.ts';
import { makeJob, NOW } from './fixtures.ts';
import { expectNoInjection, expectWithinLimits, visibleText } from './walk.ts';

const T0 = NOW / 1000 - 3600;

/** A series of `n` points a second apart, train loss falling, validation every 10 steps. */
function series(n: number, over: Partial<TrainingSeries> = {}, point = (_i: number) => ({})) {
  const points: MetricPoint[] = Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    trainLoss: 2 / (i + 1),
    ...((i + 1) % 10 === 0 ? { validLoss: 2.2 / (i + 1) } : {}),
    at: T0 + i,
    ...point(i),
  }));
  return { jobId: 'ftjob-abc123', points, checkpoints: [], pauses: [], ...over };
}

const job = (over: Record<string, unknown> = {}) =>
  makeJob({ hyperparameters: { n_epochs: 3 }, trained_tokens: 50_000, ...over });

describe('progressBar', () => {
  it('fills the share of its cells, clamped, and treats not-a-number as nothing done', () => {
    expect(progressBar(0.5, 10)).toBe('▰▰▰▰▰▱▱▱▱▱');
    expect(progressBar(0, 4)).toBe('▱▱▱▱');
    expect(progressBar(1, 4)).toBe('▰▰▰▰');
    expect(progressBar(7, 4)).toBe('▰▰▰▰');
    expect(progressBar(-1, 4)).toBe('▱▱▱▱');
    expect(progressBar(Number.NaN, 4)).toBe('▱▱▱▱');
    expect(progressBar(Number.POSITIVE_INFINITY, 3)).toBe('▱▱▱');
  });

  it('is always exactly its width, of the two cell characters, and grows with the fraction', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), fc.integer({ min: 0, max: 80 }), (a, b, width) => {
        const bar = progressBar(a, width);
        expect([...bar]).toHaveLength(width);
        expect([...bar].every((c) => c === BAR_FILLED || c === BAR_EMPTY)).toBe(true);
        const filled = (s: string) => [...s].filter((c) => c === BAR_FILLED).length;
        if (Number.isFinite(a) && Number.isFinite(b) && a <= b)
          expect(filled(bar)).toBeLessThanOrEqual(filled(progressBar(b, width)));
      }),
    );
  });
});

describe('sparkline', () => {
  it('draws the lowest value lowest and the highest highest, skipping what is not finite', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([8, 1])).toBe('█▁');
    expect(sparkline([3, Number.NaN, 1, Number.POSITIVE_INFINITY])).toBe('█▁');
    expect(sparkline([2, 2, 2])).toBe('▄▄▄');
    expect(sparkline([])).toBe('');
    expect(sparkline([Number.NaN])).toBe('');
    expect(sparkline([-Number.MAX_VALUE, Number.MAX_VALUE])).toHaveLength(2);
  });

  it('averages a long series into at most its width, keeping the trend', () => {
    const falling = Array.from({ length: 10_000 }, (_, i) => 10_000 - i);
    const line = sparkline(falling, 8);
    expect(line).toBe('█▇▆▅▄▃▂▁');
  });

  it('is at most its width, only of the eight levels, and one per finite value when they fit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double(), { maxLength: 300 }),
        fc.integer({ min: 0, max: 60 }),
        (values, width) => {
          const line = sparkline(values, width);
          const chars = [...line];
          const finite = values.filter(Number.isFinite).length;
          expect(chars.length).toBe(Math.min(width, finite));
          expect(chars.every((c) => SPARK_LEVELS.includes(c))).toBe(true);
        },
      ),
    );
  });

  it('puts its lowest level at the minimum and its highest at the maximum of a varied series', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 24 }),
        (values) => {
          fc.pre(new Set(values).size > 1);
          const chars = [...sparkline(values, 24)];
          const lo = values.indexOf(Math.min(...values));
          const hi = values.indexOf(Math.max(...values));
          expect(chars[lo]).toBe('▁');
          expect(chars[hi]).toBe('█');
        },
      ),
    );
  });
});

describe('formatLoss and formatDollars', () => {
  it('reads as a person would write them, huge and tiny numbers included', () => {
    expect(formatLoss(0.421337)).toBe('0.4213');
    expect(formatLoss(2)).toBe('2');
    expect(formatLoss(Number.NaN)).toBe('NaN');
    expect(formatLoss(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatLoss(1.5e300)).toBe('1.500e+300');
    expect(formatLoss(0.00001234)).toBe('1.234e-5');
    expect(formatDollars(0.004)).toBe('<$0.01');
    expect(formatDollars(1234.5)).toBe('$1,234.50');
    expect(formatDollars(1e300)).toBe('$1.00e+300');
  });
});

describe('priceFor and estimateCost', () => {
  it('prices a model by the longest configured name it starts with, * for any other', () => {
    const prices = { 'gpt-4o-mini': 3, 'gpt-4o': 25, '*': 10 };
    expect(priceFor(prices, 'gpt-4o-mini-2024-07-18')).toBe(3);
    expect(priceFor(prices, 'gpt-4o-2024-08-06')).toBe(25);
    expect(priceFor(prices, 'gpt-4.1-nano')).toBe(10);
    expect(priceFor({ 'gpt-4o': 25 }, 'gpt-4.1')).toBeUndefined();
    expect(priceFor(8, null)).toBe(8);
    expect(priceFor(undefined, 'gpt-4o')).toBeUndefined();
  });

  it('costs the tokens so far and projects the end at the same tokens per step', () => {
    expect(
      estimateCost({ tokens: 2_000_000, pricePerMillion: 3, step: 50, totalSteps: 100 }),
    ).toEqual({ soFar: 6, atEnd: 12 });
    expect(estimateCost({ tokens: 1_000_000, pricePerMillion: 3 })).toEqual({ soFar: 3 });
    expect(estimateCost({ tokens: null, pricePerMillion: 3 })).toBeUndefined();
    expect(estimateCost({ tokens: 10, pricePerMillion: undefined })).toBeUndefined();
  });
});

describe('progressText', () => {
  it('shows step of total with epoch and bar, both losses with best and trend, tokens, cost, times', () => {
    const text = progressText({
      job: job({ estimated_finish: NOW / 1000 + 1800 }),
      series: series(100, { totalSteps: 200 }),
      now: NOW,
      pricePerMillionTokens: 3,
    });
    expect(text).toContain('*Progress* ▰▰▰▰▰▰▱▱▱▱▱▱ 50%');
    expect(text).toContain('Step 100 of 200 · epoch 2 of 3');
    expect(text).toMatch(/\*Train loss\* 0\.02 · best 0\.02 {2}█[▁-█]+▁/);
    expect(text).toMatch(/\*Validation loss\* 0\.022 · best 0\.022 {2}█[▁-█]+▁/);
    expect(text).toContain(
      '*Trained tokens* 50,000 · estimated cost $0.15 so far, $0.30 at the end',
    );
    expect(text).toContain('*Elapsed* 1h');
    expect(text).toContain('*Estimated finish* <!date^');
    expect(text).not.toContain('ftops');
  });

  it('labels ftops’s own finish estimate from the step rate when the service gives none', () => {
    const text = progressText({
      job: job({ estimated_finish: 0 }),
      series: series(100, { totalSteps: 200 }),
      now: NOW,
    });
    // 100 steps left at one a second after the last point (T0 + 99).
    expect(text).toContain(`*Estimated finish* <!date^${T0 + 199}^`);
    expect(text).toContain("_(ftops's estimate from the step rate)_");
    expect(text).not.toContain('estimated cost');
  });

  it('says there are no metrics yet for an empty series, and still shows what the job says', () => {
    const text = progressText({
      job: job({ estimated_finish: NOW / 1000 + 60 }),
      series: series(0),
      now: NOW,
    });
    expect(text).toContain('_No training metrics yet._');
    expect(text).toContain('*Trained tokens* 50,000');
    expect(text).toContain('*Estimated finish*');
    expect(text).not.toMatch(/Step|loss/);
  });

  it('shows a validation-only series without a train line, and a series without a total', () => {
    const only = series(30, {}, () => ({ trainLoss: undefined, validLoss: 0.5 }));
    only.points = only.points.map(({ trainLoss: _t, ...p }) => p);
    const text = progressText({ job: job(), series: only, now: NOW });
    expect(text).toContain('Step 30');
    expect(text).not.toContain(' of ');
    expect(text).not.toContain('Train loss');
    expect(text).toContain('*Validation loss* 0.5 · best 0.5  ▄▄▄');
  });

  it('flags a loss that is not finite and keeps the best finite one', () => {
    const s = series(20, { totalSteps: 40 }, (i) => (i === 19 ? { trainLoss: Number.NaN } : {}));
    const text = progressText({ job: job(), series: s, now: NOW });
    expect(text).toContain('*Train loss* NaN ⚠️ not finite · best 0.1053');
    const all = series(3, {}, () => ({ trainLoss: Number.POSITIVE_INFINITY }));
    expect(progressText({ job: job(), series: all, now: NOW })).toContain(
      '*Train loss* ∞ ⚠️ not finite',
    );
  });

  it('keeps huge numbers readable and within the limits', () => {
    const s = series(5, { totalSteps: 1e15 }, (i) => ({
      step: 1e14 + i,
      trainLoss: 1e300 * (i + 1),
    }));
    const view = {
      text: 'x',
      blocks: progressBlocks({
        job: job({ trained_tokens: 9e20 }),
        series: s,
        now: NOW,
        pricePerMillionTokens: 1e6,
      }),
    };
    const text = visibleText(view);
    expect(text).toContain('Step 100,000,000,000,004 of 1,000,000,000,000,000');
    expect(text).toContain('*Trained tokens* 900,000,000,000,000,000,000');
    expectWithinLimits(view);
  });

  it('reads the epochs from the method when the top level does not say', () => {
    expect(
      epochsOf({
        method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 4 } } },
      }),
    ).toBe(4);
    expect(epochsOf({ hyperparameters: { n_epochs: 'auto' } })).toBeUndefined();
  });
});

describe('jobCard with progress', () => {
  it('shows the progress section in place of the tokens and finish fields', () => {
    const view = jobCard(job({ estimated_finish: NOW / 1000 + 600 }), {
      now: NOW,
      progress: { series: series(50, { totalSteps: 100 }) },
    });
    const text = visibleText(view);
    expect(text).toContain('Step 50 of 100');
    expect(text.match(/Estimated finish/g)).toHaveLength(1);
    expect(text.match(/50,000/g)).toHaveLength(1);
    expectWithinLimits(view);
  });

  it('stays within Slack’s limits and escapes a long, hostile job key', () => {
    const id = `ftjob-${'x'.repeat(3000)}<!channel>`;
    const view = jobCard(job({ id, model: `<!here>${'m'.repeat(5000)}` }), {
      now: NOW,
      progress: {
        series: { ...series(500, { totalSteps: 500 }), jobId: id },
        pricePerMillionTokens: 3,
      },
    });
    expectWithinLimits(view);
    expectNoInjection(view);
  });
});
