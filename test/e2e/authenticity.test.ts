import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_SECONDS } from '../../src/bot/verify-signature.ts';
import {
  signRequest,
  slashCommandBody,
  slashCommandPayload,
} from '../../src/emulators/slack-signing.ts';
import { type App, REQUESTER, SIGNING_SECRET, startApp, TRAINING } from './harness.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Only requests Slack signed, recently, and once, reach a listener. Each refused request here
 * asks to resume a paused job, so a request that got through would leave a visible trace: a
 * resumed job, an answer at its response_url, a Slack call or a Redis key.
 */
describe('request authenticity end to end', () => {
  let app: App;
  beforeAll(async () => {
    // The web half only: the poller's own Redis and API traffic would blur "no side effect".
    app = await startApp({ FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A resume command body for a fresh paused job, with its own response_url. */
  function resumeBody() {
    const job = app.ft.addJob({ status: 'paused' });
    const responseUrl = app.slack.responseUrl(TRAINING, REQUESTER);
    const body = slashCommandBody({
      text: `resume ${job.id}`,
      user_id: REQUESTER,
      channel_id: TRAINING,
      response_url: responseUrl,
    });
    return { job, body, responseUrl };
  }

  const headerCases: Array<
    [string, (body: string) => { body: string; headers: Record<string, string> }]
  > = [
    [
      'a forged signature',
      (body) => ({ body, headers: { ...signRequest('not-the-secret', body) } }),
    ],
    [
      'a timestamp more than 5 minutes old',
      (body) => ({
        body,
        headers: {
          ...signRequest(SIGNING_SECRET, body, nowSeconds() - MAX_CLOCK_SKEW_SECONDS - 30),
        },
      }),
    ],
    [
      'a timestamp more than 5 minutes in the future',
      (body) => ({
        body,
        headers: {
          ...signRequest(SIGNING_SECRET, body, nowSeconds() + MAX_CLOCK_SKEW_SECONDS + 30),
        },
      }),
    ],
    [
      'a body changed after signing',
      (body) => ({
        body: body.replace('resume', 'cancel'),
        headers: { ...signRequest(SIGNING_SECRET, body) },
      }),
    ],
    [
      'no signature',
      (body) => {
        const { 'x-slack-signature': _drop, ...headers } = signRequest(SIGNING_SECRET, body);
        return { body, headers };
      },
    ],
    [
      'no headers at all',
      (body) => ({ body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    ],
    [
      'a signature over another timestamp',
      (body) => {
        const good = signRequest(SIGNING_SECRET, body, nowSeconds() - 10);
        return { body, headers: { ...good, 'x-slack-request-timestamp': String(nowSeconds()) } };
      },
    ],
    [
      'a timestamp that is not a whole number',
      (body) => {
        const ts = nowSeconds();
        const { 'x-slack-signature': sig } = signRequest(SIGNING_SECRET, body, ts);
        return {
          body,
          headers: {
            'x-slack-signature': sig,
            'x-slack-request-timestamp': `${ts}.0`,
            'content-type': 'application/x-www-form-urlencoded',
          },
        };
      },
    ],
    [
      'a signature of another scheme',
      (body) => {
        const h = signRequest(SIGNING_SECRET, body);
        return {
          body,
          headers: { ...h, 'x-slack-signature': h['x-slack-signature'].replace('v0=', 'v1=') },
        };
      },
    ],
  ];

  it.each(headerCases)('%s → 401 and no side effect', async (_name, make) => {
    const { job, body, responseUrl } = resumeBody();
    const keysBefore = (await app.redisKeys()).sort();
    const callsBefore = app.slack.calls.length;
    const requestsBefore = app.ft.requests.length;
    const req = make(body);
    const ack = await app.post(req.body, req.headers);
    expect(ack.status).toBe(401);
    expect(ack.body).not.toContain(SIGNING_SECRET);
    expect((await app.redisKeys()).sort()).toEqual(keysBefore);

    // A valid request after it: once its answer is in, anything the refused one had started
    // would have shown too.
    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(app.answersTo(responseUrl)).toHaveLength(0);
    expect(app.ft.requests.length).toBe(requestsBefore);
    expect(app.slack.calls.length).toBe(callsBefore);
    expect(app.ft.getJob(job.id)?.status).toBe('paused');
  });

  it('a signed body over 1 MiB is refused unread', async () => {
    const { job, body, responseUrl } = resumeBody();
    const big = `${body}&pad=${'a'.repeat(1_100_000)}`;
    const ack = await app.post(big, { ...signRequest(SIGNING_SECRET, big) });
    expect(ack.status).toBe(413);
    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(app.answersTo(responseUrl)).toHaveLength(0);
    expect(app.ft.getJob(job.id)?.status).toBe('paused');
  });

  it('a request signed by Slack but from another workspace or organisation changes nothing', async () => {
    for (const from of [
      { team_id: 'T0ELSEWHERE' },
      { team_id: 'T0FTOPS', enterprise_id: 'E0OTHER' },
    ]) {
      const job = app.ft.addJob({ status: 'paused' });
      const responseUrl = app.slack.responseUrl(TRAINING, REQUESTER);
      const fields = slashCommandPayload({
        text: `resume ${job.id}`,
        user_id: REQUESTER,
        channel_id: TRAINING,
        response_url: responseUrl,
        team_id: from.team_id,
      });
      if (from.enterprise_id) fields.enterprise_id = from.enterprise_id;
      const body = new URLSearchParams(fields).toString();
      const ack = await app.post(body, { ...signRequest(SIGNING_SECRET, body) });
      expect(ack.status).toBe(200);
      expect(JSON.parse(ack.body)).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringContaining('not installed in this workspace'),
      });
      const barrier = await app.command('watching');
      await app.answer(barrier);
      expect(app.answersTo(responseUrl)).toHaveLength(0);
      expect(app.ft.requests.filter((r) => r.path.includes(job.id))).toHaveLength(0);
      expect(app.ft.getJob(job.id)?.status).toBe('paused');
    }
    expect(app.logs.some((l) => l.includes('from another workspace'))).toBe(true);
  });

  it('a replayed request (same body and headers) has no effect the second time', async () => {
    const { job, body, responseUrl } = resumeBody();
    const headers = { ...signRequest(SIGNING_SECRET, body) };
    const first = await app.post(body, headers);
    expect(first.status).toBe(200);
    await app.answer({ responseUrl });
    const second = await app.post(body, headers);
    expect(second.status).toBe(200);
    expect(second.body).toBe('');

    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(app.answersTo(responseUrl)).toHaveLength(1);
    const resumes = app.ft.requests.filter((r) => r.path === `/fine_tuning/jobs/${job.id}/resume`);
    expect(resumes).toHaveLength(1);
    expect(app.logs.some((l) => l.includes('replayed'))).toBe(true);
  });

  it('a retry Slack signs afresh (X-Slack-Retry-Num) has no second effect', async () => {
    const { job, body, responseUrl } = resumeBody();
    const first = await app.post(body, { ...signRequest(SIGNING_SECRET, body, nowSeconds() - 2) });
    expect(first.status).toBe(200);
    await app.answer({ responseUrl });
    const retry = await app.post(body, {
      ...signRequest(SIGNING_SECRET, body, nowSeconds()),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(retry.status).toBe(200);
    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(app.answersTo(responseUrl)).toHaveLength(1);
    const resumes = app.ft.requests.filter((r) => r.path === `/fine_tuning/jobs/${job.id}/resume`);
    expect(resumes).toHaveLength(1);
  });

  it('ten copies of one signed request sent at once are handled once', async () => {
    const { job, body, responseUrl } = resumeBody();
    const headers = { ...signRequest(SIGNING_SECRET, body) };
    const acks = await Promise.all(Array.from({ length: 10 }, () => app.post(body, headers)));
    expect(acks.every((a) => a.status === 200)).toBe(true);
    await app.answer({ responseUrl });
    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(app.answersTo(responseUrl)).toHaveLength(1);
    expect(
      app.ft.requests.filter((r) => r.path === `/fine_tuning/jobs/${job.id}/resume`),
    ).toHaveLength(1);
  });
});

describe('Redis unavailable', () => {
  let app: App;
  beforeAll(async () => {
    // Nothing listens on port 1: the app starts (web role, no poller) but Redis never answers.
    app = await startApp({ REDIS_URL: 'redis://127.0.0.1:1', FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a command gets a clear "temporarily unavailable" answer and changes nothing', async () => {
    const job = app.ft.addJob({ status: 'paused' });
    const sent = await app.command(`resume ${job.id}`);
    // Acked at once (a command needs nothing more); the answer follows at the response_url.
    expect(sent.status).toBe(200);
    expect(sent.body).toBe('');
    const shown = await app.answer(sent);
    expect(shown).toContain('temporarily unavailable');
    expect(shown).toContain('Redis');
    expect(shown).toContain('Nothing was changed');
    expect(app.ft.requests).toHaveLength(0);
    expect(app.ft.getJob(job.id)?.status).toBe('paused');
  });
});
