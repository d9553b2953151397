import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSubscriptions, type Subscriptions } from '../../src/store/subscriptions.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
let subs: Subscriptions;

beforeEach(() => {
  t = openTestRedis();
  subs = createSubscriptions(t.redis, t.keys);
});
afterEach(async () => {
  await t.cleanup();
});

describe('subscriptions', () => {
  it('lists what a channel watches, with its filters', async () => {
    await subs.watch('C1', 'ftjob-b');
    await subs.watch('C1', 'ftjob-a', { only: ['failed', 'succeeded', 'failed'] });
    await subs.watch('C1', 'all');
    expect(await subs.list('C1')).toEqual([
      { target: 'all' },
      { target: 'ftjob-a', only: ['failed', 'succeeded'] },
      { target: 'ftjob-b' },
    ]);
    expect(await subs.list('C2')).toEqual([]);
  });

  it('finds the watchers of a job: explicit channels and watch-all channels', async () => {
    await subs.watch('C1', 'ftjob-a', { only: ['failed'] });
    await subs.watch('C2', 'all');
    await subs.watch('C3', 'ftjob-b');
    const watchers = await subs.watchersOf('ftjob-a');
    expect(watchers.sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
      { channel: 'C1', only: ['failed'] },
      { channel: 'C2' },
    ]);
    expect(await subs.watchersOf('ftjob-c')).toEqual([{ channel: 'C2' }]);
  });

  it('merges two filters of one channel so either lets a status through', async () => {
    await subs.watch('C1', 'ftjob-a', { only: ['failed'] });
    await subs.watch('C1', 'all', { only: ['succeeded'] });
    const [w] = await subs.watchersOf('ftjob-a');
    expect(w?.only?.sort()).toEqual(['failed', 'succeeded']);
    await subs.watch('C1', 'all');
    expect(await subs.watchersOf('ftjob-a')).toEqual([{ channel: 'C1' }]);
  });

  it('keeps a job in the watched set until its last watcher leaves', async () => {
    await subs.watch('C1', 'ftjob-a');
    await subs.watch('C2', 'ftjob-a');
    await subs.watch('C1', 'all');
    expect(await subs.watchedJobIds()).toEqual(['ftjob-a']);
    expect(await subs.hasWatchAll()).toBe(true);
    expect(await subs.unwatch('C1', 'ftjob-a')).toBe(true);
    expect(await subs.unwatch('C1', 'ftjob-a')).toBe(false);
    expect(await subs.watchedJobIds()).toEqual(['ftjob-a']);
    await subs.unwatch('C2', 'ftjob-a');
    await subs.unwatch('C1', 'all');
    expect(await subs.watchedJobIds()).toEqual([]);
    expect(await subs.hasWatchAll()).toBe(false);
    expect(await subs.list('C1')).toEqual([]);
  });

  it('drops every watch of a channel that is gone', async () => {
    await subs.watch('C1', 'ftjob-a');
    await subs.watch('C1', 'all');
    await subs.watch('C2', 'ftjob-a');
    expect(await subs.removeChannel('C1')).toBe(2);
    expect(await subs.list('C1')).toEqual([]);
    expect(await subs.watchersOf('ftjob-a')).toEqual([{ channel: 'C2' }]);
    expect(await subs.hasWatchAll()).toBe(false);
  });

  it('survives a new connection (state lives in Redis)', async () => {
    await subs.watch('C1', 'ftjob-a', { only: ['paused'] });
    const conn = t.redis.duplicate();
    const other = createSubscriptions(conn, t.keys);
    expect(await other.list('C1')).toEqual([{ target: 'ftjob-a', only: ['paused'] }]);
    await conn.quit();
  });

  it('yields the watched job IDs a page at a time', async () => {
    for (let i = 0; i < 250; i++) await subs.watch(`C${i % 3}`, `ftjob-${i}`);
    await subs.watch('C9', 'all');
    const seen: string[] = [];
    let pages = 0;
    for await (const page of subs.scanWatchedJobIds(50)) {
      pages++;
      seen.push(...page);
    }
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set(await subs.watchedJobIds()));
    expect(new Set(seen).size).toBe(250);
  });
});
