import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommandPayload } from '../../src/emulators/slack-signing.ts';
import { REFRESH_JOB, RESUME_JOB } from '../../src/views/action-ids.ts';
import {
  type App,
  clickPayload,
  poll,
  REQUESTER,
  startApp,
  TRAINING,
  visibleText,
} from './harness.ts';

/**
 * Socket Mode: with SLACK_APP_TOKEN set the app dials out to Slack's WebSocket instead of
 * serving HTTP. Envelopes must be acked and answered through the response_url they carry.
 */
describe('Socket Mode end to end', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' }, { socketMode: true });
    await poll(() => (app.slack.socketConnected() ? true : undefined));
  });
  afterAll(async () => {
    await app?.close();
  });

  async function command(text: string) {
    const responseUrl = app.slack.responseUrl(TRAINING, REQUESTER);
    const result = await app.slack.sendSocketEnvelope(
      'slash_commands',
      slashCommandPayload({
        text,
        user_id: REQUESTER,
        channel_id: TRAINING,
        response_url: responseUrl,
      }),
    );
    return { ...result, responseUrl };
  }

  it('/ft help is acked and answered through the response_url', async () => {
    const sent = await command('help');
    expect(sent.acked).toBe(true);
    const answer = await app.answer(sent);
    expect(answer).toContain('/ft status');
    expect(answer).toContain('/ft pause');
  });

  it('/ft status <job> shows the job card', async () => {
    const job = app.ft.addJob({ user_provided_suffix: 'over-the-socket' });
    const sent = await command(`status ${job.id}`);
    expect(sent.acked).toBe(true);
    const answer = await app.answer(sent);
    expect(answer).toContain(job.id);
    expect(answer).toContain('over-the-socket');
  });

  it('a command Slack delivers again (same envelope, retry_attempt 1) acts once', async () => {
    const job = app.ft.addJob({ status: 'paused' });
    const responseUrl = app.slack.responseUrl(TRAINING, REQUESTER);
    const payload = slashCommandPayload({
      text: `resume ${job.id}`,
      user_id: REQUESTER,
      channel_id: TRAINING,
      response_url: responseUrl,
    });
    const first = await app.slack.sendSocketEnvelope('slash_commands', payload);
    expect(first.acked).toBe(true);
    const envelopeId = app.slack.envelopes.at(-1)?.envelope_id;
    await app.answer({ responseUrl });
    const again = await app.slack.sendSocketEnvelope('slash_commands', payload, {
      retryOf: envelopeId,
    });
    expect(again.acked).toBe(true);
    const barrier = await command('watching');
    await app.answer(barrier);
    expect(app.answersTo(responseUrl)).toHaveLength(1);
    expect(
      app.ft.requests.filter((r) => r.path === `/fine_tuning/jobs/${job.id}/resume`),
    ).toHaveLength(1);
    expect(app.slack.envelopes.filter((e) => e.envelope_id === envelopeId)).toHaveLength(2);
  });

  it('a button click is acked and handled', async () => {
    const job = app.ft.addJob({ status: 'paused' });
    const shown = await command(`status ${job.id}`);
    await app.answer(shown);
    const card = app.messagesIn(TRAINING).findLast((m) => m.text.includes(job.id));
    expect(card).toBeDefined();

    const refreshUrl = app.slack.responseUrl(TRAINING, REQUESTER, card?.ts);
    const refreshed = await app.slack.sendSocketEnvelope(
      'interactive',
      clickPayload({ actionId: REFRESH_JOB, value: job.id, messageTs: card?.ts ?? '' }, refreshUrl),
    );
    expect(refreshed.acked).toBe(true);
    expect(await app.answer({ responseUrl: refreshUrl })).toContain('Refreshed just now');
    const after = app.messagesIn(TRAINING).find((m) => m.ts === card?.ts);
    expect(after?.edited).toBe(true);

    const resumeUrl = app.slack.responseUrl(TRAINING, REQUESTER, card?.ts);
    const resumed = await app.slack.sendSocketEnvelope(
      'interactive',
      clickPayload({ actionId: RESUME_JOB, value: job.id, messageTs: card?.ts ?? '' }, resumeUrl),
    );
    expect(resumed.acked).toBe(true);
    expect(await app.answer({ responseUrl: resumeUrl })).toContain('Resume sent');
    expect(app.ft.getJob(job.id)?.status).toBe('resuming');
    expect(visibleText(after ?? {})).toContain(job.id);
  });

  it('reconnects when Slack asks it to, and keeps answering', async () => {
    const connections = app.slack.calls.filter((c) => c.method === 'apps.connections.open').length;
    app.slack.disconnectSockets('refresh_requested');
    await poll(
      () =>
        app.slack.callsTo('apps.connections.open').length > connections &&
        app.slack.socketConnected()
          ? true
          : undefined,
      10_000,
    );
    const sent = await command('whoami');
    expect(sent.acked).toBe(true);
    expect(await app.answer(sent)).toContain(`<@${REQUESTER}>`);
  });

  it('serves no Slack endpoint over HTTP in Socket Mode', async () => {
    const res = await fetch(`${app.ftops.url}/slack/events`, { method: 'POST', body: 'x=1' });
    expect(res.status).toBe(404);
    const health = await fetch(`${app.ftops.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
