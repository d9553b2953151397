import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPROVE_REQUEST,
  CANCEL_JOB,
  DENY_REQUEST,
  PAUSE_JOB,
  REASON_BLOCK,
  REASON_INPUT,
  REASON_MODAL,
  REFRESH_JOB,
  RESUME_JOB,
  UNWATCH_JOB,
  WATCH_JOB,
} from '../../src/views/action-ids.ts';
import {
  type App,
  buttonsOf,
  OUTSIDER,
  poll,
  REQUESTER,
  startApp,
  TRAINING,
  visibleText,
} from './harness.ts';

/**
 * The job card's buttons, clicked the way Slack delivers clicks: signed block_actions whose
 * response_url is tied to the card's message. Every click is checked again on the server.
 */
describe('job card buttons end to end', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Shows `/ft status` for the job and returns the card's message as the channel holds it. */
  async function showCard(jobId: string, user = REQUESTER) {
    const sent = await app.command(`status ${jobId}`, { user });
    await app.answer(sent);
    const card = app
      .messagesIn(TRAINING)
      .findLast((m) => m.visibleTo === user && m.text.includes(jobId));
    if (!card) throw new Error('the card was not posted');
    return card;
  }

  /** The modal views.open was last called with. */
  function lastModal() {
    const call = app.slack.callsTo('views.open').at(-1);
    return call?.args.view as
      | { callback_id?: string; private_metadata?: string; blocks?: unknown[] }
      | undefined;
  }

  function reasonValues(reason: string) {
    return { [REASON_BLOCK]: { [REASON_INPUT]: { type: 'plain_text_input', value: reason } } };
  }

  it('Refresh updates the card in place', async () => {
    const job = app.ft.addJob({ user_provided_suffix: 'refresh-me' });
    const card = await showCard(job.id);
    expect(buttonsOf(card.blocks).map((b) => b.actionId)).toContain(REFRESH_JOB);
    const count = app.messagesIn(TRAINING).length;
    app.ft.setStatus(job.id, 'paused');

    const sent = await app.click({ actionId: REFRESH_JOB, value: job.id, messageTs: card.ts });
    expect(sent.status).toBe(200);
    const answer = await app.answer(sent);
    expect(answer).toContain('Refreshed just now');
    expect(app.answersTo(sent.responseUrl)[0]?.body.replace_original).toBe(true);

    const after = app.messagesIn(TRAINING).find((m) => m.ts === card.ts);
    expect(after?.edited).toBe(true);
    expect(visibleText(after ?? {})).toContain('paused');
    expect(visibleText(after ?? {})).toContain('Refreshed just now');
    // In place: no new message.
    expect(app.messagesIn(TRAINING)).toHaveLength(count);
    // The paused card now offers Resume instead of Pause.
    const actions = buttonsOf(after?.blocks).map((b) => b.actionId);
    expect(actions).toContain(RESUME_JOB);
    expect(actions).not.toContain(PAUSE_JOB);
  });

  it('Watch subscribes the channel and Unwatch stops it', async () => {
    const job = app.ft.addJob();
    const card = await showCard(job.id);
    const watch = buttonsOf(card.blocks).find((b) => b.actionId === WATCH_JOB);
    expect(watch?.value).toBe(job.id);
    const sent = await app.click({ actionId: WATCH_JOB, value: job.id, messageTs: card.ts });
    expect(await app.answer(sent)).toContain('will hear about every status change');
    const watching = await app.command('watching');
    expect(await app.answer(watching)).toContain(job.id);

    const off = await app.click({ actionId: UNWATCH_JOB, value: job.id, messageTs: card.ts });
    expect(await app.answer(off)).toContain('no longer watches');
  });

  it('Resume on a paused job goes through the gate (ungated by default) and runs', async () => {
    const job = app.ft.addJob({ status: 'paused' });
    const card = await showCard(job.id);
    const resume = buttonsOf(card.blocks).find((b) => b.actionId === RESUME_JOB);
    expect(resume?.value).toBe(job.id);
    const sent = await app.click({ actionId: RESUME_JOB, value: job.id, messageTs: card.ts });
    expect(await app.answer(sent)).toContain(`Resume sent; ${job.id} is now resuming`);
    expect(app.ft.getJob(job.id)?.status).toBe('resuming');
    const posts = app.ft.requests.filter((r) => r.method === 'POST' && r.path.includes(job.id));
    expect(posts.map((r) => r.path)).toEqual([`/fine_tuning/jobs/${job.id}/resume`]);
  });

  it('Pause opens a modal whose metadata is opaque; submitting it asks for approval', async () => {
    const job = app.ft.addJob({ user_provided_suffix: 'pause-me' });
    const card = await showCard(job.id);
    const opened = app.slack.callsTo('views.open').length;
    const sent = await app.click({ actionId: PAUSE_JOB, value: job.id, messageTs: card.ts });
    expect(sent.status).toBe(200);
    await poll(() => (app.slack.callsTo('views.open').length > opened ? true : undefined));
    const modal = lastModal();
    expect(modal?.callback_id).toBe(REASON_MODAL);
    const ref = modal?.private_metadata ?? '';
    expect(ref.length).toBeGreaterThan(10);
    expect(ref).not.toContain(job.id);
    expect(ref).not.toContain('ftjob');
    expect(ref).not.toContain(REQUESTER);
    expect(visibleText(modal ?? {})).toContain(job.id);

    const posted = app.messagesIn(TRAINING).length;
    const ack = await app.submitView({
      callbackId: REASON_MODAL,
      privateMetadata: ref,
      values: reasonValues('loss is diverging'),
    });
    expect(ack.status).toBe(200);
    const request = await poll(() =>
      app
        .messagesIn(TRAINING)
        .slice(posted)
        .find((m) => !m.ephemeral && m.text.includes(job.id)),
    );
    const buttons = buttonsOf(request.blocks);
    expect(buttons.map((b) => b.actionId).sort()).toEqual([APPROVE_REQUEST, DENY_REQUEST].sort());
    expect(visibleText(request)).toContain('loss is diverging');
    expect(visibleText(request)).toContain(`<@${REQUESTER}>`);
    // The requester hears privately where it waits; the job itself is untouched.
    const note = await poll(() =>
      app
        .messagesIn(TRAINING)
        .find((m) => m.ephemeral && m.visibleTo === REQUESTER && m.text.includes('waiting')),
    );
    expect(note.text).toContain(job.id);
    expect(app.ft.getJob(job.id)?.status).toBe('running');

    // The same modal submitted again does nothing more.
    const publicCount = () => app.messagesIn(TRAINING).filter((m) => !m.ephemeral).length;
    const before = publicCount();
    const total = app.messagesIn(TRAINING).length;
    await app.submitView({
      callbackId: REASON_MODAL,
      privateMetadata: ref,
      values: reasonValues('again'),
    });
    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(publicCount()).toBe(before);
    expect(app.messagesIn(TRAINING)).toHaveLength(total + 1); // the barrier's answer only
  });

  it('a modal submitted by someone other than who opened it does nothing', async () => {
    const job = app.ft.addJob();
    const card = await showCard(job.id);
    const opened = app.slack.callsTo('views.open').length;
    await app.click({ actionId: CANCEL_JOB, value: job.id, messageTs: card.ts });
    await poll(() => (app.slack.callsTo('views.open').length > opened ? true : undefined));
    const ref = lastModal()?.private_metadata ?? '';

    const messages = app.messagesIn(TRAINING).length;
    const calls = app.slack.calls.length;
    const requests = app.ft.requests.length;
    const ack = await app.submitView({
      user: OUTSIDER,
      callbackId: REASON_MODAL,
      privateMetadata: ref,
      values: reasonValues('not mine'),
    });
    expect(ack.status).toBe(200);
    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(app.messagesIn(TRAINING).length).toBe(messages + 1); // the barrier's answer only
    expect(app.slack.calls.length).toBe(calls);
    expect(app.ft.requests.length).toBe(requests);
    expect(app.ft.getJob(job.id)?.status).toBe('running');
    const pending = await app.command('approvals');
    expect(await app.answer(pending)).not.toContain(job.id);
  });

  it.each([
    ['../../admin'],
    ['ftjob-abc/../../files'],
    ['ftjob-abc%2Fcancel'],
    [''],
    ['<!channel>'],
    ['x'.repeat(3000)],
  ])('a button whose value is malformed (%#) is refused and calls no API', async (value) => {
    for (const actionId of [REFRESH_JOB, RESUME_JOB, WATCH_JOB, PAUSE_JOB, CANCEL_JOB]) {
      const requests = app.ft.requests.length;
      const opened = app.slack.callsTo('views.open').length;
      const sent = await app.click({ actionId, value });
      expect(sent.status).toBe(200);
      const answer = await app.answer(sent);
      expect(answer).toContain('does not name a valid job');
      expect(answer).not.toContain('<!channel>');
      expect(app.ft.requests.length).toBe(requests);
      expect(app.slack.callsTo('views.open').length).toBe(opened);
    }
  });

  it('a button rewritten to name another job is checked like a typed command', async () => {
    const job = app.ft.addJob({ status: 'paused' });
    const card = await showCard(job.id);
    // Resume on a card, its value pointing at a running job: refused, no POST.
    const other = app.ft.addJob();
    const resumed = await app.click({ actionId: RESUME_JOB, value: other.id, messageTs: card.ts });
    expect(await app.answer(resumed)).toContain('is already running.');
    // Pointing at a job that does not exist: "not found".
    const ghost = await app.click({
      actionId: RESUME_JOB,
      value: 'ftjob-doesnotexist0000',
      messageTs: card.ts,
    });
    expect(await app.answer(ghost)).toContain('was not found');
    // Neither job was touched.
    expect(app.ft.requests.filter((r) => r.method === 'POST')).not.toContainEqual(
      expect.objectContaining({ path: expect.stringContaining(other.id) }),
    );
    expect(app.ft.getJob(other.id)?.status).toBe('running');
    expect(app.ft.getJob(job.id)?.status).toBe('paused');
  });
});
