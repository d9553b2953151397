import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bestPageCount,
  pagesToReach,
  shouldReadFirstPage,
  shouldReadNextPage,
} from '../../src/poller/sweep-plan.ts';

describe('sweep plan', () => {
  it('reads one job singly and starts with a page for two or more, or to discover', () => {
    expect(shouldReadFirstPage(0, false)).toBe(false);
    expect(shouldReadFirstPage(1, false)).toBe(false);
    expect(shouldReadFirstPage(2, false)).toBe(true);
    expect(shouldReadFirstPage(0, true)).toBe(true);
  });

  it('estimates pages from the density seen so far', () => {
    // 100 jobs over 100 s: one job a second.
    const paged = { count: 100, newest: 1_100, oldest: 1_001, hasMore: true };
    const pending = [
      { jobId: 'a', createdAt: 990 },
      { jobId: 'b', createdAt: 850 },
      { jobId: 'c', createdAt: 0 },
      { jobId: 'd', createdAt: 1_050 },
    ];
    expect(pagesToReach(pending, paged, 100)).toEqual([1, 2, Infinity, Infinity]);
    expect(pagesToReach(pending, { ...paged, hasMore: false }, 100)).toEqual([
      Infinity,
      Infinity,
      Infinity,
      Infinity,
    ]);
  });

  it('pages on while that is cheaper than single reads, and stops when it is not', () => {
    const paged = { count: 100, newest: 1_100, oldest: 1_001, hasMore: true };
    const near = [950, 940, 930].map((c, i) => ({ jobId: `n${i}`, createdAt: c }));
    expect(shouldReadNextPage(near, paged, 100)).toBe(true);
    // One job forty pages away: one single read.
    expect(shouldReadNextPage([{ jobId: 'far', createdAt: -3_000 + 1_000 }], paged, 100)).toBe(
      false,
    );
    expect(shouldReadNextPage([], paged, 100)).toBe(false);
    // Every pending job is newer than the page's end (deleted or unknown): only single reads help.
    expect(shouldReadNextPage([{ jobId: 'x', createdAt: 1_050 }], paged, 100)).toBe(false);
  });

  it('never costs more than reading every pending job singly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant(Infinity)), {
          maxLength: 30,
        }),
        (d) => {
          const k = bestPageCount(d);
          const cost = k + d.filter((x) => x > k).length;
          expect(cost).toBeLessThanOrEqual(d.length);
          // And no other page count is cheaper.
          for (let j = 0; j <= 50; j++)
            expect(cost).toBeLessThanOrEqual(j + d.filter((x) => x > j).length);
        },
      ),
    );
  });
});
