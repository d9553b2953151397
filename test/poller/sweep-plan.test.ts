import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bestPageCount,
  pagesToReach,
  shouldReadFirstPage,
  shouldReadNextPage,
  shouldReadNextPageOf,
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

  it('pages on for never-seen jobs while a page still finds two or more watched jobs', () => {
    const paged = { count: 100, newest: 1_100, oldest: 1_001, hasMore: true };
    const unseen = [{ jobId: 'u1', createdAt: 0 }];
    expect(shouldReadNextPage(unseen, { ...paged, lastPageHits: 2 }, 100)).toBe(true);
    expect(shouldReadNextPage(unseen, { ...paged, lastPageHits: 1 }, 100)).toBe(false);
    expect(shouldReadNextPage(unseen, { ...paged, lastPageHits: 9, hasMore: false }, 100)).toBe(
      false,
    );
    // Known jobs only: the density rule decides, however many the last page found.
    expect(
      shouldReadNextPage(
        [{ jobId: 'far', createdAt: 96_000 }],
        { count: 100, newest: 100_100, oldest: 100_001, hasMore: true, lastPageHits: 9 },
        100,
      ),
    ).toBe(false);
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

  it('decides the same over columns as over one object per job', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            createdAt: fc.oneof(fc.constant(0), fc.integer({ min: -5_000, max: 1_200 })),
            found: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.record({
          count: fc.integer({ min: 0, max: 1_000 }),
          newest: fc.integer({ min: 900, max: 1_200 }),
          oldest: fc.integer({ min: -100, max: 1_100 }),
          hasMore: fc.boolean(),
          lastPageHits: fc.integer({ min: 0, max: 5 }),
        }),
        fc.constantFrom(1, 10, 100),
        (jobs, paged, pageSize) => {
          const left = jobs.filter((j) => !j.found);
          const columns = {
            size: jobs.length,
            createdAt: Float64Array.from(jobs.map((j) => j.createdAt)),
            found: Uint8Array.from(jobs.map((j) => (j.found ? 1 : 0))),
            left: left.length,
            unknownLeft: left.filter((j) => j.createdAt <= 0).length,
          };
          const objects = left.map((j, i) => ({ jobId: `j${i}`, createdAt: j.createdAt }));
          expect(shouldReadNextPageOf(columns, paged, pageSize)).toBe(
            shouldReadNextPage(objects, paged, pageSize),
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
