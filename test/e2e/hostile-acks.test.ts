import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockActionsPayload,
  interactionBody,
  signRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../src/emulators/slack-signing.ts';
import { PAUSE_JOB, REASON_BLOCK, REASON_INPUT, REASON_MODAL } from '../../src/views/action-ids.ts';
import { type App, poll, REQUESTER, SIGNING_SECRET, startApp, TRAINING } from './harness.ts';

/**
 * Regressions found by the chaos battery's hostile-input campaign: signed requests that no
 * listener handles used to wait for Bolt's 3 s timer and get a 404 (or a 500 when a listener
 * choked before acknowledging); a reason that is not a string crashed the modal submit.
 */
describe('hostile but signed requests are answered at once', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  const signed = (body: string, contentType?: string) =>
    app.post(body, {
      ...signRequest(SIGNING_SECRET, body),
      ...(contentType ? { 'content-type': contentType } : {}),
    });

  it.each([
    ['an unknown action_id', 'click'],
    ['a payload of an unknown type', interactionBody({ type: 'mystery', user: { id: REQUESTER } })],
    ['a shortcut nobody registered', interactionBody({ type: 'shortcut', callback_id: 'x' })],
    ['an unknown modal', interactionBody({ type: 'view_submission', view: { callback_id: 'x' } })],
    ['a block_actions without actions', interactionBody({ type: 'block_actions', actions: 7 })],
    [
      'another slash command',
      slashCommandBody({
        text: 'help',
        user_id: REQUESTER,
        channel_id: TRAINING,
        response_url: 'http://127.0.0.1:1/none',
        command: '/other',
      }),
    ],
  ])('%s gets a 200 well within 3 s', async (_what, body) => {
    const ack =
      body === 'click'
        ? await app.click({ actionId: 'ftops.job.explode', value: 'x' })
        : await signed(body);
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(3_000);
  });

  it('a JSON body claimed as JSON gets a 200, not a 404 after 3 s', async () => {
    const ack = await signed('{"type":"block_actions"}', 'application/json');
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(3_000);
    expect(app.logs.join('\n')).not.toContain('not acknowledged within 3 seconds');
    expect(app.logs.join('\n')).not.toContain('An unhandled error occurred');
  });

  it.each([
    ['payload=null as a form', 'payload=null', undefined],
    ['null as JSON', 'null', 'application/json'],
  ])(
    'a body that parses to %s is refused with a 400 and the bot lives on',
    async (_w, body, type) => {
      const ack = await signed(body, type);
      expect(ack.status).toBe(400);
      expect(ack.body).toContain('malformed_body');
      // Before the fix, Bolt read `null.ssl_check` outside any try: an unhandled rejection.
      const sent = await app.command('help');
      expect(sent.status).toBe(200);
      expect(await app.answer(sent)).toContain('status');
    },
  );

  it('a Pause click without a trigger_id gets a plain refusal, not an unexpected error', async () => {
    const job = app.ft.addJob({ status: 'running' });
    const responseUrl = app.slack.responseUrl(TRAINING, REQUESTER);
    const payload = blockActionsPayload({
      user: REQUESTER,
      channel: TRAINING,
      actionId: PAUSE_JOB,
      value: job.id,
      blockId: 'card',
      responseUrl,
    });
    delete payload.trigger_id;
    expect((await signed(interactionBody(payload))).status).toBe(200);
    const said = await app.answer({ responseUrl });
    expect(said).toContain('nothing was done');
    expect(app.logs.join('\n')).not.toContain('unexpected error in a Slack handler');
  });

  it('a reason that is not a string is taken as no reason, not as a crash', async () => {
    const job = app.ft.addJob({ status: 'running' });
    await app.click({ actionId: PAUSE_JOB, value: job.id });
    const ref = await poll(() => {
      const view = app.slack.callsTo('views.open').at(-1)?.args.view as
        | { private_metadata?: string }
        | undefined;
      return view?.private_metadata || undefined;
    });
    const payload = viewSubmissionPayload({
      user: REQUESTER,
      callbackId: REASON_MODAL,
      privateMetadata: ref,
      values: { [REASON_BLOCK]: { [REASON_INPUT]: { type: 'plain_text_input', value: 42 } } },
    });
    const ack = await signed(interactionBody(payload));
    expect(ack.status).toBe(200);
    const told = await poll(() =>
      app.slack
        .callsTo('chat.postEphemeral')
        .map((c) => String(c.args.text ?? ''))
        .find((t) => t.includes(job.id)),
    );
    expect(told).toMatch(/waiting for approval/);
    expect(app.logs.join('\n')).not.toContain('is not a function');
  });
});
