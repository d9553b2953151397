import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDOFF_QUEUE } from '../../src/bot/handoff/index.ts';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import {
  APPROVER,
  type App,
  buttonsOf,
  OUTSIDER,
  poll,
  startApp,
  TRAINING,
  visibleText,
} from './harness.ts';

/**
 * FT_ANSWER_IN=worker, as a split deployment runs it: the web process acks and hands the
 * work over Redis to a worker process, which answers through the response_url. The answers
 * are the ones the web process would have given itself, and the web process does none of it.
 */
describe('commands and Approve clicks answered by a worker', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web', FT_ANSWER_IN: 'worker' }, { worker: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Log lines of one component (the web's handlers never run; the worker's answers do). */
  const handled = () => app.logs.filter((l) => l.includes('"msg":"handled /ft"'));

  it('answers /ft help and /ft status through the response_url, once each', async () => {
    const job = app.ft.addJob({ status: 'running', user_provided_suffix: 'handed' });
    const before = handled().length;
    const help = await app.command('help');
    expect(help.status).toBe(200);
    expect(help.body).toBe('');
    expect(await app.answer(help)).toContain('/ft status');
    const status = await app.command(`status ${job.id}`);
    expect(await app.answer(status)).toContain(job.id);
    expect(visibleText(app.answersTo(status.responseUrl)[0]?.body ?? {})).toContain('running');
    await new Promise((r) => setTimeout(r, 200));
    expect(app.answersTo(help.responseUrl)).toHaveLength(1);
    expect(app.answersTo(status.responseUrl)).toHaveLength(1);
    expect(handled().length).toBe(before + 2);
    // Both went through the queue: BullMQ numbered them.
    expect(Number(await app.redis.get(`{${app.namespace}}:${HANDOFF_QUEUE}:id`))).toBe(2);
  });

  it('counts an Approve click in the worker: the job pauses once and the request message says so', async () => {
    const job = app.ft.addJob({ status: 'running' });
    const asked = await app.command(`pause ${job.id} loss plateaued`);
    expect(await app.answer(asked)).toContain('waiting for approval');
    const message = await poll(() =>
      app
        .messagesIn(TRAINING)
        .find((m) => !m.ephemeral && !m.thread_ts && m.text.includes(job.id) && m.blocks),
    );
    const approve = buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST);
    const click = (user: string) =>
      app.click({
        actionId: APPROVE_REQUEST,
        value: approve?.value ?? '',
        user,
        messageTs: message.ts,
      });

    const refused = await click(OUTSIDER);
    expect(await app.answer(refused)).toContain('Only approvers');
    expect(app.ft.getJob(job.id)?.status).toBe('running');

    const approved = await click(APPROVER);
    expect(approved.status).toBe(200);
    expect(await app.answer(approved)).toContain('Approved');
    const body = app.answersTo(approved.responseUrl)[0]?.body;
    expect(body?.response_type).toBe('ephemeral');
    expect(body?.replace_original).toBe(false);
    await poll(() => (app.ft.getJob(job.id)?.status !== 'running' ? true : undefined));
    const pauses = app.ft.requests.filter(
      (r) => r.method === 'POST' && r.path === `/fine_tuning/jobs/${job.id}/pause`,
    );
    expect(pauses).toHaveLength(1);
    // The request message is updated in place, buttons gone, naming who approved.
    const after = await poll(() =>
      app.messagesIn(TRAINING).find((m) => m.ts === message.ts && m.edited),
    );
    expect(buttonsOf(after.blocks)).toHaveLength(0);
    expect(visibleText(after)).toContain(`<@${APPROVER}>`);
  });
});
