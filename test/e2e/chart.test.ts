import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_REQUEST, CHART_JOB } from '../../src/views/action-ids.ts';
import {
  APPROVER,
  type App,
  buttonsOf,
  poll,
  REQUESTER,
  startApp,
  TRAINING,
  visibleText,
} from './harness.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * `/ft chart` and the Chart button end to end: the emulator publishes a job's metrics as
 * events, ftops reads them into the stored series, draws the PNG in-process and uploads it
 * with Slack's current flow (files.getUploadURLExternal, the upload, completeUploadExternal).
 */
describe('charts of a job’s training', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Files shared into `channel` so far, with their bytes. */
  const filesIn = (channel: string) =>
    [...app.slack.files.values()].filter((f) => f.shares.some((s) => s.channel === channel));

  it('posts the PNG of a running job’s curves in the channel and tells the asker privately', async () => {
    const job = app.ft.addJob({ status: 'running', steps: 200, step: 1, validateEvery: 20 });
    app.ft.clock.advance(120_000);
    const sent = await app.command(`chart ${job.id}`);
    expect(sent.status).toBe(200);
    expect(await app.answer(sent, 15_000)).toContain('Posted the chart');
    const [file] = filesIn(TRAINING);
    expect(file?.bytes?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(file?.title).toContain(job.id);
    // The stored series is what the next chart starts from: only newer events are read.
    const reads = () =>
      app.ft.requests.filter((r) => r.path === `/fine_tuning/jobs/${job.id}/events`).length;
    const before = reads();
    const again = await app.command(`chart ${job.id}`);
    expect(await app.answer(again, 15_000)).toContain('Posted the chart');
    expect(reads() - before).toBe(1);
    expect(filesIn(TRAINING)).toHaveLength(2);
  });

  it('the card’s Chart button posts the same, and a job with no metrics yet is said so, with no upload', async () => {
    const running = app.ft.addJob({ status: 'running', steps: 50, step: 1 });
    app.ft.clock.advance(30_000);
    const status = await app.command(`status ${running.id}`);
    await app.answer(status);
    const card = app.answersTo(status.responseUrl)[0]?.body ?? {};
    const chart = buttonsOf((card as { blocks?: unknown }).blocks).find(
      (b) => b.actionId === CHART_JOB,
    );
    expect(chart?.value).toBe(running.id);
    const files = filesIn(TRAINING).length;
    const click = await app.click({ actionId: CHART_JOB, value: chart?.value ?? '' });
    expect(await app.answer(click, 15_000)).toContain('Posted the chart');
    await poll(() => (filesIn(TRAINING).length === files + 1 ? true : undefined));

    const queued = app.ft.addJob({ status: 'queued' });
    const none = await app.command(`chart ${queued.id}`);
    expect(await app.answer(none)).toContain('no training metrics yet');
    expect(filesIn(TRAINING)).toHaveLength(files + 1);
  });

  it('says what to do where ftops may not post files, and answers an unknown job as not found', async () => {
    const job = app.ft.addJob({ status: 'running', steps: 50, step: 1 });
    app.ft.clock.advance(30_000);
    app.slack.addChannel({ id: 'C0OUTSIDE', name: 'outside', isMember: false });
    const sent = await app.command(`chart ${job.id}`, { channel: 'C0OUTSIDE', user: REQUESTER });
    const answer = await app.answer(sent, 15_000);
    expect(answer).toContain('/invite @ftops');
    expect(filesIn('C0OUTSIDE')).toHaveLength(0);

    const unknown = await app.command('chart ftjob-doesnotexist000000');
    expect(visibleText({ text: await app.answer(unknown) })).toMatch(/not found|was not found/i);
  });
});

describe('the final chart of a job that ends', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('goes into the thread of the job’s card once its end is announced, once', async () => {
    const job = app.ft.addJob({ status: 'running', steps: 40, step: 1, validateEvery: 10 });
    const watched = await app.command(`watch ${job.id}`);
    await app.answer(watched);
    app.ft.clock.advance(10 * 60_000); // trains to the end: succeeded
    expect(app.ft.getJob(job.id)?.status).toBe('succeeded');
    await app.ftops.poller?.sweeper.sweep();
    const card = await poll(
      () =>
        app
          .messagesIn(TRAINING)
          .find((m) => !m.ephemeral && !m.thread_ts && m.text.includes(job.id)),
      10_000,
    );
    const file = await poll(
      () =>
        [...app.slack.files.values()].find((f) =>
          f.shares.some((s) => s.channel === TRAINING && s.threadTs === card.ts),
        ),
      15_000,
    );
    expect(file.bytes?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(file.title).toContain(job.id);
    // Another sweep finds nothing new: no second announcement, no second chart.
    await app.ftops.poller?.sweeper.sweep();
    await new Promise((r) => setTimeout(r, 500));
    const charts = [...app.slack.files.values()].filter((f) =>
      f.shares.some((s) => s.threadTs === card.ts),
    );
    expect(charts).toHaveLength(1);
  });
});

describe('the training numbers with an approval request', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('show approvers where training was when the pause was asked, and stay through a vote', async () => {
    const job = app.ft.addJob({ status: 'running', steps: 100, step: 1, validateEvery: 10 });
    app.ft.clock.advance(60_000);
    const asked = await app.command(`pause ${job.id} validation loss plateaued`);
    expect(await app.answer(asked)).toContain('waiting for approval');
    const request = await poll(() =>
      app
        .messagesIn(TRAINING)
        .find((m) => !m.ephemeral && !m.thread_ts && m.text.includes(job.id) && m.blocks),
    );
    expect(visibleText(request)).toMatch(
      /Training when asked:\* step \d+ of 100 · validation loss \S+ now, best \S+ at step \d+ · trend/,
    );
    const approve = buttonsOf(request.blocks).find((b) => b.actionId === APPROVE_REQUEST);
    const approved = await app.click({
      actionId: APPROVE_REQUEST,
      value: approve?.value ?? '',
      user: APPROVER,
      messageTs: request.ts,
    });
    expect(await app.answer(approved)).toContain('Approved');
    const decided = await poll(() =>
      app.messagesIn(TRAINING).find((m) => m.ts === request.ts && m.edited),
    );
    expect(visibleText(decided)).toContain('Training when asked');
    // A job with no metrics is asked about without them.
    const quiet = app.ft.addJob({ status: 'running', steps: 100, step: 1, validateEvery: 0 });
    const other = await app.command(`pause ${quiet.id}`);
    expect(await app.answer(other)).toContain('waiting for approval');
    const second = await poll(() =>
      app
        .messagesIn(TRAINING)
        .find((m) => !m.ephemeral && !m.thread_ts && m.text.includes(quiet.id) && m.blocks),
    );
    expect(visibleText(second)).not.toContain('validation loss');
  });
});
