import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowedResponseUrl, responseUrlsOf } from '../../src/bot/response-url.ts';
import {
  blockActionsBody,
  signRequest,
  slashCommandBody,
} from '../../src/emulators/slack-signing.ts';
import { RESUME_JOB } from '../../src/views/action-ids.ts';
import {
  type App,
  clickPayload,
  poll,
  REQUESTER,
  SIGNING_SECRET,
  startApp,
  TRAINING,
} from '../e2e/harness.ts';

const API = 'http://127.0.0.1:4100/api/';

describe('isAllowedResponseUrl', () => {
  it.each([
    'https://hooks.slack.com/actions/T0/123/abc',
    'https://hooks.slack.com/commands/T0/123/abc',
    'https://hooks.slack-gov.com/actions/T0/123/abc',
    'http://127.0.0.1:4100/response/abc',
  ])('allows %s', (url) => {
    expect(isAllowedResponseUrl(url, API)).toBe(true);
  });

  it.each([
    'http://hooks.slack.com/actions/T0/1/a',
    'https://hooks.slack.com.evil.example/actions/T0/1/a',
    'https://evil.example/?https://hooks.slack.com/',
    'https://hooks.slack.com@evil.example/actions',
    'https://user:pw@hooks.slack.com/actions/T0/1/a',
    'http://127.0.0.1:4101/response/abc',
    'http://localhost:4100/response/abc',
    'http://127.0.0.1:4100@127.0.0.1:4101/response/abc',
    'https://slack.com/api/chat.postMessage',
    'file:///etc/passwd',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedResponseUrl(url, API)).toBe(false);
  });

  it('allows any path on Slack, and nothing whose origin is neither Slack nor the API', () => {
    const path = fc.webPath();
    fc.assert(
      fc.property(path, (p) => isAllowedResponseUrl(`https://hooks.slack.com${p}`, API)),
      { seed: 4242 },
    );
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const origin = new URL(url).origin;
        const expected =
          origin === 'https://hooks.slack.com' || origin === 'https://hooks.slack-gov.com';
        return isAllowedResponseUrl(url, API) === expected;
      }),
      { seed: 4242, numRuns: 500 },
    );
  });

  it('reads response_url and every response_urls entry', () => {
    expect(
      responseUrlsOf({
        response_url: 'a',
        response_urls: [{ response_url: 'b' }, null, { response_url: '' }],
      }),
    ).toEqual(['a', 'b']);
    expect(responseUrlsOf({ response_urls: [] })).toEqual([]);
  });
});

/** Regression (chaos campaign 3): the bot answered any response_url a signed payload named. */
describe('a request whose response_url is not Slack is dropped', () => {
  let app: App;
  let listener: Server;
  let foreignUrl = '';
  const received: string[] = [];
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
    listener = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.writeHead(200).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    foreignUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/response/x`;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => listener?.close(r));
  });

  const signed = (body: string) => app.post(body, { ...signRequest(SIGNING_SECRET, body) });

  it('a Resume click answering elsewhere does nothing and posts nothing there', async () => {
    const job = app.ft.addJob({ status: 'paused' });
    const ack = await signed(
      blockActionsBody(clickPayload({ actionId: RESUME_JOB, value: job.id }, foreignUrl)),
    );
    expect(ack.status).toBe(200);
    await poll(() =>
      received.length > 0 || app.logs.some((l) => l.includes('response_url is not on Slack'))
        ? true
        : undefined,
    );
    // The same click with Slack's URL still works, so the first one had its chance to act.
    const genuine = await app.click({ actionId: RESUME_JOB, value: job.id });
    expect(await app.answer(genuine)).toContain('Resume sent');
    expect(received).toEqual([]);
    const resumes = app.ft.requests.filter((r) => r.path === `/fine_tuning/jobs/${job.id}/resume`);
    expect(resumes).toHaveLength(1);
  });

  it('a command answering elsewhere is dropped too', async () => {
    const ack = await signed(
      slashCommandBody({
        text: 'help',
        user_id: REQUESTER,
        channel_id: TRAINING,
        response_url: `${foreignUrl}?next=${encodeURIComponent(app.slack.url)}`,
      }),
    );
    expect(ack.status).toBe(200);
    await poll(() =>
      received.length > 0 ||
      app.logs.filter((l) => l.includes('response_url is not on Slack')).length >= 2
        ? true
        : undefined,
    );
    const barrier = await app.command('help');
    await app.answer(barrier);
    expect(received).toEqual([]);
  });
});
