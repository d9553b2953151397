import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockActionsBody,
  blockActionsPayload,
  signRequest,
  slashCommandBody,
  viewSubmissionBody,
  viewSubmissionPayload,
} from '../../src/emulators/slack-signing.ts';

/** Bolt's own verifier is the judge: what it accepts, a Bolt app in HTTP mode accepts. */

const SECRET = 'signing-secret-0123456789abcdef';

const boltAccepts = (
  secret: string,
  body: string,
  h: ReturnType<typeof signRequest>,
  now?: number,
) =>
  isValidSlackRequest({
    signingSecret: secret,
    body,
    headers: {
      'x-slack-signature': h['x-slack-signature'],
      'x-slack-request-timestamp': Number(h['x-slack-request-timestamp']),
    },
    nowMilliseconds: now,
  });

describe('signRequest', () => {
  it('produces the headers Slack sends, which Bolt verifies', () => {
    const body = slashCommandBody({
      text: 'pause ftjob-abc',
      user_id: 'U0REQUEST',
      channel_id: 'C0TRAINING',
      response_url: 'http://127.0.0.1:1/response/x',
    });
    const headers = signRequest(SECRET, body);
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: {
          'x-slack-signature': headers['x-slack-signature'],
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
      }),
    ).not.toThrow();
  });

  it('matches Slack’s documented example signature', () => {
    // From Slack's "Verifying requests from Slack" guide.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618);
    expect(headers['x-slack-signature']).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('any body signed verifies; any change to body, secret or timestamp does not', () => {
    const now = Date.now();
    const ts = Math.floor(now / 1000);
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (body, extra) => {
        const headers = signRequest(SECRET, body, ts);
        expect(boltAccepts(SECRET, body, headers, now)).toBe(true);
        expect(boltAccepts(SECRET, body + extra, headers, now)).toBe(false);
        expect(boltAccepts(`${SECRET}x`, body, headers, now)).toBe(false);
        const moved = { ...headers, 'x-slack-request-timestamp': String(ts - 1) };
        expect(boltAccepts(SECRET, body, moved, now)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('a request signed more than five minutes ago is refused as a replay', () => {
    const body = 'payload=%7B%7D';
    const headers = signRequest(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60);
    expect(boltAccepts(SECRET, body, headers)).toBe(false);
  });
});

describe('bodies', () => {
  it('a slash command carries every field Slack sends', () => {
    const fields = Object.fromEntries(
      new URLSearchParams(
        slashCommandBody({
          text: 'status ftjob-abc',
          user_id: 'U0REQUEST',
          channel_id: 'C0TRAINING',
          response_url: 'http://127.0.0.1:1/response/x',
          trigger_id: '1.2.abc',
        }),
      ),
    );
    expect(fields).toEqual({
      token: expect.any(String),
      team_id: 'T0FTOPS',
      team_domain: 'ftops-dev',
      channel_id: 'C0TRAINING',
      channel_name: expect.any(String),
      user_id: 'U0REQUEST',
      user_name: 'riley',
      command: '/ft',
      text: 'status ftjob-abc',
      api_app_id: 'A0FTOPS',
      is_enterprise_install: 'false',
      response_url: 'http://127.0.0.1:1/response/x',
      trigger_id: '1.2.abc',
    });
  });

  it('interactions are one form field `payload` holding the JSON', () => {
    const click = blockActionsPayload({
      user: 'U0APPROVE',
      channel: 'C0APPROVALS',
      actionId: 'approve',
      value: 'apr-1',
      blockId: 'decision',
      responseUrl: 'http://127.0.0.1:1/response/y',
      message: { ts: '1732000000.000100', text: 'approve?' },
    });
    const form = new URLSearchParams(blockActionsBody(click));
    expect([...form.keys()]).toEqual(['payload']);
    expect(JSON.parse(form.get('payload')!)).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0APPROVE', username: 'avery', team_id: 'T0FTOPS' },
      container: {
        type: 'message',
        message_ts: '1732000000.000100',
        channel_id: 'C0APPROVALS',
        is_ephemeral: false,
      },
      channel: { id: 'C0APPROVALS' },
      message: { ts: '1732000000.000100', text: 'approve?' },
      response_url: 'http://127.0.0.1:1/response/y',
      trigger_id: expect.stringMatching(/^\d+\.\d+\.[0-9a-f]+$/),
      actions: [
        {
          action_id: 'approve',
          block_id: 'decision',
          value: 'apr-1',
          type: 'button',
          text: { type: 'plain_text' },
          action_ts: expect.stringMatching(/^\d+\.\d+$/),
        },
      ],
    });

    const submit = viewSubmissionPayload({
      user: 'U0REQUEST',
      callbackId: 'pause_reason',
      privateMetadata: '{"job":"ftjob-abc"}',
      values: { reason: { text: { type: 'plain_text_input', value: 'too slow' } } },
    });
    const parsed = JSON.parse(new URLSearchParams(viewSubmissionBody(submit)).get('payload')!);
    expect(parsed).toMatchObject({
      type: 'view_submission',
      user: { id: 'U0REQUEST' },
      view: {
        type: 'modal',
        callback_id: 'pause_reason',
        private_metadata: '{"job":"ftjob-abc"}',
        state: { values: { reason: { text: { value: 'too slow' } } } },
      },
      response_urls: [],
    });
  });

  it('a click on an ephemeral message has no message, as Slack sends it', () => {
    const click = blockActionsPayload({
      user: 'U0REQUEST',
      channel: 'C0TRAINING',
      actionId: 'confirm',
      value: 'v',
      blockId: 'b',
      responseUrl: 'http://127.0.0.1:1/response/z',
      message: { ts: '1732000000.000200', ephemeral: true },
    });
    expect(click.container).toMatchObject({ is_ephemeral: true, message_ts: '1732000000.000200' });
    expect(click).not.toHaveProperty('message');
  });
});
