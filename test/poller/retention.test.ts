import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NOTIFY_QUEUE } from '../../src/poller/notify-queue.ts';
import { FINISHED_RETENTION_DAYS } from '../../src/store/job-status.ts';
import { keysMatching } from '../support/redis.ts';
import { CHANNEL, type Harness, startHarness } from './harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const DAY = 86_400_000;

/** Our keys in the namespace (BullMQ's own are bounded by its removeOn* settings), with TTLs. */
async function ourKeys(h: Harness): Promise<Map<string, number>> {
  const prefix = `${h.keys.bullPrefix}:`;
  const found = await keysMatching(h.redis, `${prefix}*`);
  const ours = found.filter((k) => !k.startsWith(`${prefix}${NOTIFY_QUEUE}:`));
  const ttls = await Promise.all(ours.map((k) => h.redis.ttl(k)));
  return new Map(ours.map((k, i) => [k.slice(prefix.length), ttls[i] ?? -2]));
}

describe('what Redis keeps as jobs come and go', () => {
  it('stops growing: a finished job keeps no key without a lifetime, and is dropped a month on', async () => {
    let now = Date.now();
    const sweeper = h.newSweeper({ now: () => now });
    h.startNotifyWorker();
    const persistent: number[] = [];
    const finished: string[] = [];
    for (let round = 0; round < 5; round++) {
      const jobs = Array.from({ length: 4 }, () => h.ft.addJob({ status: 'running' }));
      for (const j of jobs) await h.subs.watch(CHANNEL, j.id);
      await sweeper.sweep();
      for (const j of jobs) h.ft.setStatus(j.id, round % 2 ? 'failed' : 'succeeded');
      await sweeper.sweep();
      await h.settle();
      finished.push(...jobs.map((j) => j.id));
      // A finished job's own keys (status, card, audit) all expire on their own…
      const keys = await ourKeys(h);
      const perJob = [...keys].filter(([k]) => jobs.some((j) => k.includes(j.id)));
      expect(perJob.some(([k]) => k.startsWith('status:'))).toBe(true);
      for (const [k, ttl] of perJob) if (!k.startsWith('subs:')) expect(ttl, k).toBeGreaterThan(0);
      // …and a month on, the sweep drops its watches and its status.
      now += (FINISHED_RETENTION_DAYS + 1) * DAY;
      const report = await sweeper.sweep();
      expect(report.retired.sort()).toEqual(jobs.map((j) => j.id).sort());
      persistent.push([...(await ourKeys(h)).values()].filter((ttl) => ttl === -1).length);
    }
    // Keys that never expire do not grow with the number of jobs that came and went.
    expect(new Set(persistent).size).toBe(1);
    const left = await ourKeys(h);
    for (const id of finished) {
      expect(await h.subs.watchersOf(id)).toEqual([]);
      expect(left.has(`status:${id}`)).toBe(false);
    }
    // The channel heard every job finish, once.
    expect(h.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(finished.length);
  });
});
