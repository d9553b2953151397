import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.ts';
import { CHANNEL, type Harness, startHarness } from './harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const listCalls = (h: Harness) =>
  h.ft.requests.filter((r) => r.method === 'GET' && r.path === '/fine_tuning/jobs');
const getCalls = (h: Harness) =>
  h.ft.requests.filter((r) => r.method === 'GET' && /^\/fine_tuning\/jobs\/[^/]+$/.test(r.path));

describe('sweeps', () => {
  it('announces each change once when two sweepers and two workers run at the same time', async () => {
    const jobs = Array.from({ length: 6 }, () => h.ft.addJob({ status: 'running' }));
    for (const j of jobs) await h.subs.watch(CHANNEL, j.id);
    const a = h.newSweeper();
    const b = h.newSweeper();
    h.startNotifyWorker();
    h.startNotifyWorker();
    await Promise.all([a.sweep(), b.sweep()]);
    for (const j of jobs) h.ft.setStatus(j.id, 'paused');
    const [ra, rb] = await Promise.all([a.sweep(), b.sweep()]);
    expect((ra?.transitions ?? 0) + (rb?.transitions ?? 0)).toBe(6);
    for (const j of jobs) h.ft.setStatus(j.id, 'running');
    await Promise.all([a.sweep(), b.sweep(), a.sweep()]);
    await h.settle();
    const msgs = h.messages(CHANNEL);
    const cards = msgs.filter((m) => !m.thread_ts);
    const replies = msgs.filter((m) => m.thread_ts);
    expect(cards).toHaveLength(6);
    expect(replies).toHaveLength(6);
    expect(new Set(replies.map((m) => m.thread_ts))).toEqual(new Set(cards.map((m) => m.ts)));
  });

  it('a read a webhook asked for, racing two sweeps, announces the change once; a finished or unknown job is not read', async () => {
    const job = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, job.id);
    const a = h.newSweeper();
    const b = h.newSweeper();
    h.startNotifyWorker();
    await a.sweep();
    h.ft.setStatus(job.id, 'failed');
    const [read] = await Promise.all([a.readOne(job.id), a.sweep(), b.sweep()]);
    expect(read).toBe('read');
    await h.settle();
    expect(h.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);
    const reads = getCalls(h).length;
    // Finished: never read again, webhook or not.
    expect(await a.readOne(job.id)).toBe('ignored');
    // Nobody watches it and ftops never saw it: nobody would hear.
    const stranger = h.ft.addJob({ status: 'succeeded' });
    expect(await a.readOne(stranger.id)).toBe('ignored');
    expect(getCalls(h).length).toBe(reads);
  });

  it('rides out 429 and 500 from the API through the client retries', async () => {
    const jobs = [h.ft.addJob({ status: 'running' }), h.ft.addJob({ status: 'running' })];
    for (const j of jobs) await h.subs.watch(CHANNEL, j.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    for (const j of jobs) h.ft.setStatus(j.id, 'paused');
    h.ft.failNext(1, '429');
    h.ft.failNext(1, '500');
    expect(await sweeper.sweep()).toMatchObject({ transitions: 2, unread: [] });
    await h.settle();
    expect(h.messages(CHANNEL)).toHaveLength(2);
    expect(h.ft.requests.some((r) => r.status === 429)).toBe(true);
    expect(h.ft.requests.some((r) => r.status === 500)).toBe(true);
  });

  it('leaves jobs it could not read to the next sweep and loses nothing', async () => {
    const jobs = [h.ft.addJob({ status: 'running' }), h.ft.addJob({ status: 'running' })];
    for (const j of jobs) await h.subs.watch(CHANNEL, j.id);
    const sweeper = h.newSweeper();
    h.startNotifyWorker();
    await sweeper.sweep();
    for (const j of jobs) h.ft.setStatus(j.id, 'paused');
    h.ft.failNext(4, '500'); // more than the client's 3 retries
    const failed = await sweeper.sweep();
    expect(failed.transitions).toBe(0);
    expect(failed.unread.sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(await sweeper.sweep()).toMatchObject({ transitions: 2, unread: [] });
    await h.settle();
    expect(h.messages(CHANNEL)).toHaveLength(2);
  });

  it('reads a single watched job with one request', async () => {
    for (let i = 0; i < 150; i++) h.ft.addJob({ status: 'running', created_at: 1_000_000 + i });
    const job = h.ft.addJob({ status: 'running', created_at: 900_000 });
    await h.subs.watch(CHANNEL, job.id);
    const sweeper = h.newSweeper();
    await sweeper.sweep();
    h.ft.requests.length = 0;
    expect(await sweeper.sweep()).toMatchObject({ pages: 0, singleReads: 1 });
    expect(h.ft.requests).toHaveLength(1);
  });

  it('pages only as far as pays and reads far-away jobs singly', async () => {
    // 500 jobs, one a second; index 0 is the newest.
    const all = Array.from({ length: 500 }, (_, i) =>
      h.ft.addJob({ status: 'running', created_at: 2_000_000 - i }),
    );
    const watched = [5, 30, 60, 130, 170, 480].map((i) => all[i]!);
    for (const j of watched) await h.subs.watch(CHANNEL, j.id);
    const sweeper = h.newSweeper();
    await sweeper.sweep(); // first sight: learns where each job sits
    h.ft.requests.length = 0;
    const report = await sweeper.sweep();
    // Pages 1 and 2 hold five of them; the sixth is three pages further: one single read.
    expect(report).toMatchObject({ pages: 2, singleReads: 1, unread: [] });
    expect(listCalls(h)).toHaveLength(2);
    expect(getCalls(h)).toHaveLength(1);
    expect(getCalls(h)[0]?.path).toBe(`/fine_tuning/jobs/${all[480]!.id}`);
  });

  it('a first sweep of many never-seen watches pages through them instead of reading each', async () => {
    // 400 jobs, every fourth watched and none seen before (no created_at known): 100 single
    // reads before; now four pages find them all.
    const all = Array.from({ length: 400 }, (_, i) =>
      h.ft.addJob({ status: 'running', created_at: 4_000_000 - i }),
    );
    for (let i = 0; i < 400; i += 4) await h.subs.watch(CHANNEL, all[i]!.id);
    const report = await h.newSweeper().sweep();
    expect(report).toMatchObject({ pages: 4, singleReads: 0, unread: [], firstSights: 100 });
    expect(getCalls(h)).toHaveLength(0);
  });

  it('stops paging once every watched job has been seen', async () => {
    const all = Array.from({ length: 400 }, (_, i) =>
      h.ft.addJob({ status: 'running', created_at: 3_000_000 - i }),
    );
    for (const i of [1, 2, 3]) await h.subs.watch(CHANNEL, all[i]!.id);
    const sweeper = h.newSweeper();
    await sweeper.sweep();
    h.ft.requests.length = 0;
    expect(await sweeper.sweep()).toMatchObject({ pages: 1, singleReads: 0 });
    expect(h.ft.requests).toHaveLength(1);
  });

  it('logs a failed read or listing without a stack trace', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      secrets: [],
      destination: new Writable({
        write(chunk, _enc, cb) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          cb();
        },
      }),
    });
    const one = h.ft.addJob({ status: 'running' });
    await h.subs.watch(CHANNEL, one.id);
    const sweeper = h.newSweeper({ logger });
    h.ft.failNext(4, '500'); // more than the client's 3 retries
    expect((await sweeper.sweep()).unread).toEqual([one.id]);
    // Many watched jobs are listed rather than read singly; the listing fails the same way.
    const many = Array.from({ length: 30 }, () => h.ft.addJob({ status: 'running' }));
    for (const j of many) await h.subs.watch(CHANNEL, j.id);
    h.ft.failNext(4, '500');
    expect((await sweeper.sweep()).unread).toHaveLength(31);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; err?: { message?: string } });
    expect(logged.map((l) => l.msg)).toEqual([
      'could not read a watched job; next sweep tries again',
      'listing jobs failed; next sweep tries again',
    ]);
    for (const l of logged) expect(l.err?.message).toContain('(500)');
    // pino's err serializer leaves an empty "stack" on a plain object; a trace has text.
    expect(lines.join('\n')).not.toMatch(/"stack":"[^"]|\\n\s+at /);
  });

  it("hands each page's changes to the notify queue before it reads the next page", async () => {
    const all = Array.from({ length: 300 }, (_, i) =>
      h.ft.addJob({ status: 'running', created_at: 5_000_000 - i }),
    );
    for (let i = 0; i < 300; i += 3) await h.subs.watch(CHANNEL, all[i]!.id);
    await h.newSweeper().sweep();
    for (let i = 0; i < 300; i += 3) h.ft.setStatus(all[i]!.id, 'paused');
    // The listings made before each enqueue: a sweep that queued only at its end would show 3s.
    const pagesAtEnqueue: number[] = [];
    const sweeper = h.newSweeper({
      notify: {
        enqueue: async () => {
          pagesAtEnqueue.push(listCalls(h).length - listedBefore);
        },
      },
    });
    const listedBefore = listCalls(h).length;
    const report = await sweeper.sweep();
    expect(report).toMatchObject({ pages: 3, transitions: 100, enqueued: 100 });
    expect(pagesAtEnqueue).toHaveLength(100);
    expect(pagesAtEnqueue.slice(0, 34).every((n) => n === 1)).toBe(true);
    expect(pagesAtEnqueue.at(-1)).toBe(3);
  });
});
