import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifyWorker } from '../../src/poller/notify-worker.ts';
import { createSubscriptions } from '../../src/store/subscriptions.ts';
import { CHANNEL, type Harness, startHarness, waitFor } from './harness.ts';

/**
 * A notification whose worker dies under it twice (a crash loop) must still be announced:
 * BullMQ's default fails a job for good on its second stall. Found while building the chaos
 * battery's crash campaign. Workers here are "killed" by a forced close while Slack holds their
 * chat.update answer: they stop renewing their lock, exactly as a SIGKILLed process would.
 */

let h: Harness;
const workers: NotifyWorker[] = [];
const connections: Redis[] = [];

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  for (const w of workers) await w.worker.close(true).catch(() => undefined);
  workers.length = 0;
  for (const c of connections.splice(0)) c.disconnect();
  await h.close();
});

function fastStallWorker(): NotifyWorker {
  const [connection, redis] = [h.redis.duplicate(), h.redis.duplicate()];
  connections.push(connection, redis);
  const w = new NotifyWorker({
    connection,
    redis,
    keys: h.keys,
    slack: h.web,
    subscriptions: createSubscriptions(h.redis, h.keys),
    paceMs: 0,
    stall: { lockDurationMs: 1000, stalledIntervalMs: 300 },
  });
  workers.push(w);
  return w;
}

describe('a notification cut short by two crashes', () => {
  it('is still announced by the next worker', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'paused');
    await sweeper.sweep();
    const first = fastStallWorker();
    await waitFor(() => h.messages(CHANNEL).length === 1);
    await h.settle();
    await first.worker.close();

    // The second change updates the card, then replies; Slack never answers the update.
    h.ft.setStatus(job.id, 'running');
    let held = 0;
    const off = h.slack.onPosted(async (p) => {
      if (p.method !== 'chat.update') return;
      held++;
      await new Promise(() => {}); // the answer never comes: its worker dies waiting
    });
    await sweeper.sweep();
    for (let crash = 1; crash <= 2; crash++) {
      const doomed = fastStallWorker();
      await waitFor(() => held === crash, 20_000);
      await doomed.worker.close(true);
      // The dead worker's card lock would lapse after its TTL (a minute); lift it now.
      await h.redis.del(h.keys.cardLock(job.id, CHANNEL));
    }
    off();

    fastStallWorker();
    await waitFor(() => h.messages(CHANNEL).some((m) => m.thread_ts !== undefined), 20_000);
    const reply = h.messages(CHANNEL).filter((m) => m.thread_ts !== undefined);
    expect(reply).toHaveLength(1);
    expect(reply[0]?.text).toContain('running');
  }, 60_000);
});
