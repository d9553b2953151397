import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFineTuningClient } from '../../src/api/client.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import { rendererFromViews } from '../../src/poller/render.ts';
import { recordActor } from '../../src/store/job-status.ts';
import { announcementCard, announcementReply } from '../../src/views/announcement.ts';
import { CHANNEL, type Harness, OTHER_CHANNEL, startHarness, waitFor } from './harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('announcements', () => {
  it('records the first sighting silently, then announces a change once per channel', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    await h.subs.watch(OTHER_CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();

    expect(await sweeper.sweep()).toMatchObject({ firstSights: 1, transitions: 0 });
    await h.settle();
    expect(h.messages(CHANNEL)).toEqual([]);

    h.ft.setStatus(job.id, 'paused');
    expect(await sweeper.sweep()).toMatchObject({ transitions: 1, enqueued: 1 });
    await sweeper.sweep();
    await h.settle();
    for (const channel of [CHANNEL, OTHER_CHANNEL]) {
      const msgs = h.messages(channel);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]?.text).toContain(job.id);
      expect(msgs[0]?.text).toContain('paused');
    }
  });

  it('updates the card in place on later changes and replies in its thread; broadcasts the end', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();

    await recordActor(h.redis, h.keys, job.id, {
      userId: 'U0ALICE',
      action: 'pause',
      at: Date.now(),
    });
    h.ft.setStatus(job.id, 'paused');
    await sweeper.sweep();
    await h.settle();
    const [card] = h.messages(CHANNEL);
    expect(card?.thread_ts).toBeUndefined();

    h.ft.setStatus(job.id, 'running');
    await sweeper.sweep();
    await h.settle();
    const updates = h.slack.callsTo('chat.update').filter((c) => c.ok);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args).toMatchObject({ channel: CHANNEL, ts: card?.ts });
    expect(String(updates[0]?.args.text)).toContain('running');

    h.ft.setStatus(job.id, 'succeeded', { fine_tuned_model: 'gpt-4o-mini:ft-acme::abc' });
    await sweeper.sweep();
    await h.settle();
    const msgs = h.messages(CHANNEL);
    expect(msgs).toHaveLength(3);
    const [first, resumed, done] = msgs;
    expect(first?.ts).toBe(card?.ts);
    expect(first?.text).toContain('succeeded'); // the card shows the latest status
    expect(resumed).toMatchObject({ thread_ts: card?.ts });
    expect(resumed?.text).toContain('resumed outside ftops');
    expect(done).toMatchObject({ thread_ts: card?.ts, reply_broadcast: true });
    expect(done?.text).toContain('`gpt-4o-mini:ft-acme::abc`');

    // Finished: never read again.
    const before = h.ft.requests.length;
    await sweeper.sweep();
    expect(h.ft.requests.length).toBe(before);
  });

  it('names the ftops user who paused a job', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    await h.subs.watch(OTHER_CHANNEL, job.id);
    // The first card of a channel is the announcement; a second change goes to its thread.
    h.ft.setStatus(job.id, 'queued');
    await sweeper.sweep();
    await h.settle();
    await recordActor(h.redis, h.keys, job.id, {
      userId: 'U0ALICE',
      action: 'pause',
      at: Date.now(),
    });
    h.ft.setStatus(job.id, 'pausing');
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'paused');
    await sweeper.sweep();
    await h.settle();
    const replies = h.messages(CHANNEL).filter((m) => m.thread_ts);
    expect(replies.map((m) => m.text)).toEqual([
      `\`${job.id}\` is now *pausing* — paused by <@U0ALICE> (was queued)`,
      `\`${job.id}\` is now *paused* — paused by <@U0ALICE> (was pausing)`,
    ]);
  });

  it('announces only the statuses a filtered channel asked for', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id, { only: ['failed', 'succeeded'] });
    await h.subs.watch(OTHER_CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'paused');
    await sweeper.sweep();
    await h.settle();
    expect(h.messages(CHANNEL)).toEqual([]);
    expect(h.messages(OTHER_CHANNEL)).toHaveLength(1);
    h.ft.setStatus(job.id, 'failed', {
      error: { code: 'invalid_training_file', message: 'Row 12 is not JSON' },
    });
    await sweeper.sweep();
    await h.settle();
    expect(h.messages(CHANNEL).map((m) => m.text)).toEqual([expect.stringContaining('failed')]);
    expect(h.messages(OTHER_CHANNEL).at(-1)?.text).toContain('Row 12 is not JSON');
  });

  it('announces statuses nobody listed as they come', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'queued');
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'postprocessing');
    await sweeper.sweep();
    await h.settle();
    expect(h.messages(CHANNEL).at(-1)?.text).toBe(
      `\`${job.id}\` is now *postprocessing* (was queued)`,
    );
  });

  it('watch all records new jobs silently and announces their later changes', async () => {
    const old = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, 'all');
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    expect(await sweeper.sweep()).toMatchObject({ firstSights: 1 });
    const fresh = h.ft.addJob({ status: 'queued' });
    expect(await sweeper.sweep()).toMatchObject({ firstSights: 1, transitions: 0 });
    await h.settle();
    expect(h.messages(CHANNEL)).toEqual([]);
    h.ft.setStatus(fresh.id, 'running');
    h.ft.setStatus(old.id, 'cancelled');
    await sweeper.sweep();
    await h.settle();
    const texts = h.messages(CHANNEL).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts.some((t) => t.includes(fresh.id) && t.includes('running'))).toBe(true);
    expect(texts.some((t) => t.includes(old.id) && t.includes('cancelled'))).toBe(true);
  });

  it('removes the subscriptions of an archived channel', async () => {
    h.slack.addChannel({ id: 'C0ARCHIVED', name: 'old-runs', archived: true, isMember: true });
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch('C0ARCHIVED', job.id);
    await h.subs.watch('C0ARCHIVED', 'all');
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'paused');
    await sweeper.sweep();
    await h.settle();
    expect(await h.subs.list('C0ARCHIVED')).toEqual([]);
    expect(await h.subs.watchersOf(job.id)).toEqual([{ channel: CHANNEL }]);
    expect(h.messages(CHANNEL)).toHaveLength(1);
    // Dropped, not retried: one failed attempt.
    expect(
      h.slack.callsTo('chat.postMessage').filter((c) => c.error === 'is_archived'),
    ).toHaveLength(1);
  });

  it('waits out a Slack 429 without posting anything twice', async () => {
    const jobs = [h.ft.addJob({ status: 'running' }), h.ft.addJob({ status: 'running' })];
    for (const j of jobs) await h.subs.watch(CHANNEL, j.id);
    h.slack.setRateLimit(CHANNEL, 1);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    for (const j of jobs) h.ft.setStatus(j.id, 'paused');
    await sweeper.sweep();
    await h.settle();
    const posts = h.slack.callsTo('chat.postMessage');
    expect(posts.some((c) => c.status === 429)).toBe(true);
    const msgs = h.messages(CHANNEL);
    expect(msgs).toHaveLength(2);
    expect(new Set(msgs.map((m) => m.text.match(/ftjob-[\w-]+/)?.[0]))).toEqual(
      new Set(jobs.map((j) => j.id)),
    );
  });

  it('posts a fresh card when the old one was deleted', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'paused');
    await sweeper.sweep();
    await h.settle();
    const [card] = h.messages(CHANNEL);
    await h.web.chat.delete({ channel: CHANNEL, ts: card!.ts });
    h.ft.setStatus(job.id, 'running');
    await sweeper.sweep();
    await h.settle();
    await waitFor(() => h.messages(CHANNEL).length === 1);
    expect(h.messages(CHANNEL)[0]?.text).toContain('running');
  });

  it('renders cards and replies with the injected Block Kit views', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker({
      render: rendererFromViews({ card: announcementCard, reply: announcementReply }),
    });
    await sweeper.sweep();
    await recordActor(h.redis, h.keys, job.id, {
      userId: 'U0ALICE',
      action: 'pause',
      at: Date.now(),
    });
    h.ft.setStatus(job.id, 'paused');
    await sweeper.sweep();
    h.ft.setStatus(job.id, 'running');
    await sweeper.sweep();
    await h.settle();
    const [card, reply] = h.slack.callsTo('chat.postMessage').filter((c) => c.ok);
    expect(Array.isArray(card?.args.blocks)).toBe(true);
    expect(JSON.stringify(card?.args.blocks)).toContain('<@U0ALICE>');
    expect(reply?.args.thread_ts).toBe(h.messages(CHANNEL)[0]?.ts);
  });
});

describe('a watched job the API no longer knows', () => {
  it('is announced gone once in each watching channel, then neither read nor watched', async () => {
    const job = h.ft.addJob({ status: 'running' });
    const kept = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    await h.subs.watch(OTHER_CHANNEL, job.id);
    await h.subs.watch(CHANNEL, kept.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker({
      render: rendererFromViews({ card: announcementCard, reply: announcementReply }),
    });
    await sweeper.sweep();

    h.ft.removeJob(job.id);
    expect(await sweeper.sweep()).toMatchObject({ gone: [job.id], transitions: 1 });
    await h.settle();
    for (const channel of [CHANNEL, OTHER_CHANNEL]) {
      const posted = (h.slack.messages.get(channel) ?? []).filter((m) =>
        JSON.stringify(m).includes(job.id),
      );
      expect(posted).toHaveLength(1);
      expect(posted[0]?.text).toContain('running → gone');
      expect(JSON.stringify(posted[0]?.blocks)).toContain(
        'the fine-tuning API no longer knows this job',
      );
    }
    expect((await h.subs.list(OTHER_CHANNEL)).map((s) => s.target)).toEqual([]);
    expect((await h.subs.list(CHANNEL)).map((s) => s.target)).toEqual([kept.id]);

    const reads = () => h.ft.requests.filter((r) => r.path.endsWith(job.id)).length;
    const before = reads();
    const later = await sweeper.sweep();
    expect(later.gone).toEqual([]);
    expect(later.unread).toEqual([]);
    await h.settle();
    expect(reads()).toBe(before);
    expect(h.messages(CHANNEL).filter((m) => m.text.includes(job.id))).toHaveLength(1);
    expect(await h.redis.exists(h.keys.lastStatus(job.id))).toBe(0);
  });

  it('is kept while the API answers 404 to everything (a wrong endpoint)', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    await sweeper.sweep();
    const wrong = h.newSweeper({
      client: createFineTuningClient({
        baseUrl: `${h.ft.url}/nowhere/v1`,
        auth: { type: 'api-key', key: 'test-key' },
        retryPolicy: noDelayRetryPolicy,
      }),
    });
    expect(await wrong.sweep()).toMatchObject({ gone: [], unread: [job.id] });
    expect((await h.subs.list(CHANNEL)).map((s) => s.target)).toEqual([job.id]);
    h.ft.removeJob(job.id);
    expect(await sweeper.sweep()).toMatchObject({ gone: [job.id] });
    expect(await h.subs.list(CHANNEL)).toEqual([]);
  });
});
