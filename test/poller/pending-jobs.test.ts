import { describe, expect, it } from 'vitest';
import { indexOfSorted, PendingJobs, sortUnique } from '../../src/poller/pending-jobs.ts';

describe("pending jobs (the sweep's columns)", () => {
  it('finds each job once, keeps what Redis knew, and counts what is left', () => {
    const p = new PendingJobs(3);
    p.add('a', { status: 'running', changedAt: 5, createdAt: 100, by: 'outside' });
    p.add('b', undefined);
    p.add('c', { status: 'running', changedAt: 7, createdAt: 90, by: null });
    expect([p.size, p.left, p.unknownLeft]).toEqual([3, 3, 1]);
    expect(p.take('b')).toBe(1);
    expect(p.take('b')).toBe(-1);
    expect(p.take('zz')).toBe(-1);
    expect([p.left, p.unknownLeft]).toEqual([2, 0]);
    expect(p.stateOf(0)).toEqual({ status: 'running', changedAt: 5, by: 'outside' });
    expect(p.stateOf(1)).toBeUndefined();
    expect(Array.from(p.createdAt)).toEqual([100, 0, 90]);
    expect([...p.rest()].map((i) => p.idOf(i))).toEqual(['a', 'c']);
    expect(p.takeRest()).toEqual(['a', 'c']);
    expect(p.left).toBe(0);
  });

  it('refuses IDs out of order, since lookups are a binary search', () => {
    const p = new PendingJobs(2);
    p.add('b', undefined);
    expect(() => p.add('a', undefined)).toThrow(/in order/);
  });

  it('sorts and drops the repeats a SCAN may return', () => {
    const ids = sortUnique(['c', 'a', 'b', 'a', 'c']);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(indexOfSorted(ids, 'b')).toBe(1);
    expect(indexOfSorted(ids, 'd')).toBe(-1);
    expect(sortUnique([])).toEqual([]);
  });
});
