import { App, type Logger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseArgs } from '../../src/emulators/slack/args.ts';
import {
  type SlackEmulator,
  startSlackEmulator,
  validateBlocks,
} from '../../src/emulators/slack/index.ts';
import { ChannelRateLimiter } from '../../src/emulators/slack/rate-limit.ts';
import {
  blockActionsPayload,
  slashCommandPayload,
  viewSubmissionPayload,
} from '../../src/emulators/slack-signing.ts';

/**
 * The emulator is driven by the official @slack/web-api client and a real Bolt app, so what
 * passes here is what Slack's own SDKs accept.
 */

let emu: SlackEmulator;
let client: WebClient;

/** Keeps the client quiet: it logs Slack's `[ERROR]` detail lines that these tests provoke. */
const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

const clientFor = (token: string, opts: ConstructorParameters<typeof WebClient>[1] = {}) =>
  new WebClient(token, {
    slackApiUrl: emu.apiUrl,
    retryConfig: { retries: 0 },
    logger: silent,
    ...opts,
  });

/** The Slack error code a WebClient call fails with. */
async function slackError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string } };
    if (e.code === ErrorCode.PlatformError && e.data?.error) return e.data.error;
    throw err;
  }
  throw new Error('expected the call to fail');
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (text: string, value: string, actionId = 'a') => ({
  type: 'actions',
  elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value }],
});

beforeAll(async () => {
  emu = await startSlackEmulator({ ackTimeoutMs: 200 });
  client = clientFor(emu.botToken);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

describe('auth', () => {
  it('auth.test names the workspace, the bot and its scopes', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({
      ok: true,
      team_id: 'T0FTOPS',
      user_id: 'U0FTBOT',
      bot_id: 'B0FTBOT',
      url: 'https://ftops-dev.slack.com/',
    });
    expect(res.response_metadata?.scopes).toEqual(
      expect.arrayContaining([
        'commands',
        'chat:write',
        'chat:write.public',
        'usergroups:read',
        'users:read',
        'files:write',
      ]),
    );
  });

  it('refuses a wrong token, a missing one and the app token on bot methods', async () => {
    expect(await slackError(clientFor('xoxb-wrong').auth.test())).toBe('invalid_auth');
    expect(await slackError(clientFor(emu.appToken).auth.test())).toBe('not_allowed_token_type');
    const res = await fetch(`${emu.apiUrl}auth.test`, { method: 'POST' });
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('accepts the token as a form field and JSON bodies with a bearer token', async () => {
    const form = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: emu.botToken, channel: 'C0TRAINING', text: 'form' }),
    });
    expect(await form.json()).toMatchObject({ ok: true, channel: 'C0TRAINING' });
    const json = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${emu.botToken}` },
      body: JSON.stringify({ channel: 'C0TRAINING', blocks: [section('json')] }),
    });
    expect(await json.json()).toMatchObject({ ok: true });
    expect(emu.messages.get('C0TRAINING')?.map((m) => m.text || m.blocks?.length)).toEqual([
      'form',
      1,
    ]);
    expect(emu.calls.every((c) => !('token' in c.args))).toBe(true);
  });

  it('answers unknown_method for a method it does not know', async () => {
    expect(await slackError(client.apiCall('chat.teleport', {}))).toBe('unknown_method');
  });
});

describe('chat', () => {
  it('postMessage stores the message and returns Slack’s shape with increasing ts', async () => {
    const blocks = [section('*Job* running'), button('Pause', 'ftjob-abc')];
    const first = await client.chat.postMessage({
      channel: 'C0TRAINING',
      text: 'Job running',
      blocks,
    });
    const second = await client.chat.postMessage({ channel: '#ml-training', text: 'again' });
    expect(first).toMatchObject({
      ok: true,
      channel: 'C0TRAINING',
      message: { text: 'Job running', user: 'U0FTBOT', bot_id: 'B0FTBOT', blocks },
    });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(emu.messages.get('C0TRAINING')).toEqual([
      expect.objectContaining({ ts: first.ts, text: 'Job running', blocks }),
      expect.objectContaining({ ts: second.ts, text: 'again' }),
    ]);
    expect(emu.callsTo('chat.postMessage')[0]).toMatchObject({
      ok: true,
      args: { channel: 'C0TRAINING', blocks },
    });
  });

  it('posts thread replies and broadcasts', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0TRAINING', text: 'parent' });
    const reply = await client.chat.postMessage({
      channel: 'C0TRAINING',
      text: 'reply',
      thread_ts: parent.ts!,
      reply_broadcast: true,
    });
    expect(reply.message).toMatchObject({ thread_ts: parent.ts, subtype: 'thread_broadcast' });
    expect(emu.messages.get('C0TRAINING')?.[1]).toMatchObject({
      thread_ts: parent.ts,
      reply_broadcast: true,
    });
  });

  it('opens a DM when the channel is a user id', async () => {
    const res = await client.chat.postMessage({ channel: 'U0APPROVE', text: 'please approve' });
    expect(res.channel).toBe('DU0APPROVE');
    expect(emu.messages.get('DU0APPROVE')?.[0]?.text).toBe('please approve');
  });

  it('refuses channels Slack would refuse', async () => {
    emu.addChannel({ id: 'C0OLD', name: 'old', archived: true });
    emu.addChannel({ id: 'G0SECRET', name: 'secret', private: true, isMember: false });
    emu.addChannel({ id: 'C0PUBLIC', name: 'elsewhere', isMember: false });
    const post = (channel: string) => client.chat.postMessage({ channel, text: 'hi' });
    expect(await slackError(post('C0NOPE'))).toBe('channel_not_found');
    expect(await slackError(post('C0OLD'))).toBe('is_archived');
    expect(await slackError(post('G0SECRET'))).toBe('not_in_channel');
    // chat:write.public lets the bot post to public channels it has not joined.
    expect((await post('C0PUBLIC')).ok).toBe(true);
    expect(emu.messages.has('G0SECRET')).toBe(false);
  });

  it('refuses messages with no content or too much of it', async () => {
    const post = (args: Record<string, unknown>) =>
      client.apiCall('chat.postMessage', { channel: 'C0TRAINING', ...args });
    expect(await slackError(post({}))).toBe('no_text');
    expect(await slackError(post({ text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    const fiftyOne = Array.from({ length: 51 }, (_, i) => section(`b${i}`));
    expect(await slackError(post({ text: 't', blocks: fiftyOne }))).toBe('invalid_blocks');
    expect(await slackError(post({ blocks: [section('x'.repeat(3001))] }))).toBe('invalid_blocks');
    expect(await slackError(post({ blocks: [button('x'.repeat(76), 'v')] }))).toBe(
      'invalid_blocks',
    );
    expect(await slackError(post({ blocks: [button('ok', 'v'.repeat(2001))] }))).toBe(
      'invalid_blocks',
    );
    expect(await slackError(post({ blocks: '[not json' }))).toBe('invalid_blocks_format');
    expect((await post({ text: 'x'.repeat(40_000), blocks: fiftyOne.slice(1) })).ok).toBe(true);
    expect(emu.messages.get('C0TRAINING')).toHaveLength(1);
    expect(emu.callsTo('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual([
      'no_text',
      'msg_too_long',
      'invalid_blocks',
      'invalid_blocks',
      'invalid_blocks',
      'invalid_blocks',
      'invalid_blocks_format',
      'ok',
    ]);
  });

  it('update replaces a message in place and refuses unknown ones', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C0TRAINING', text: 'running' });
    const updates: unknown[] = [];
    emu.events.on('update', (e) => updates.push(e));
    const res = await client.chat.update({
      channel: 'C0TRAINING',
      ts: ts!,
      text: 'paused',
      blocks: [section('paused')],
    });
    expect(res).toMatchObject({ ok: true, channel: 'C0TRAINING', ts, text: 'paused' });
    expect(emu.messages.get('C0TRAINING')).toEqual([
      expect.objectContaining({ ts, text: 'paused', blocks: [section('paused')], edited: true }),
    ]);
    expect(updates).toHaveLength(1);
    expect(
      await slackError(client.chat.update({ channel: 'C0TRAINING', ts: '1.000001', text: 'x' })),
    ).toBe('message_not_found');
  });

  it('postEphemeral needs a user and records who may see it', async () => {
    const res = await client.chat.postEphemeral({
      channel: 'C0TRAINING',
      user: 'U0REQUEST',
      text: 'only you',
    });
    expect(res.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(emu.messages.get('C0TRAINING')?.[0]).toMatchObject({
      ts: res.message_ts,
      text: 'only you',
      ephemeral: true,
      visibleTo: 'U0REQUEST',
    });
    expect(
      await slackError(client.apiCall('chat.postEphemeral', { channel: 'C0TRAINING', text: 'x' })),
    ).toBe('invalid_arguments');
    expect(
      await slackError(
        client.chat.postEphemeral({ channel: 'C0TRAINING', user: 'U0NOBODY', text: 'x' }),
      ),
    ).toBe('user_not_found');
  });

  it('getPermalink links a stored message', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'approve?' });
    const res = await client.chat.getPermalink({ channel: 'C0APPROVALS', message_ts: ts! });
    expect(res.permalink).toBe(
      `https://ftops-dev.slack.com/archives/C0APPROVALS/p${ts!.replace('.', '')}`,
    );
    expect(
      await slackError(client.chat.getPermalink({ channel: 'C0APPROVALS', message_ts: '1.5' })),
    ).toBe('message_not_found');
  });

  it('failNext makes the next call of a method fail once', async () => {
    emu.failNext('chat.postMessage', 'fatal_error');
    expect(await slackError(client.chat.postMessage({ channel: 'C0TRAINING', text: 'a' }))).toBe(
      'fatal_error',
    );
    expect((await client.chat.postMessage({ channel: 'C0TRAINING', text: 'b' })).ok).toBe(true);
  });
});

describe('directory', () => {
  it('conversations.info and users.info answer for known ids only', async () => {
    const info = await client.conversations.info({ channel: 'C0TRAINING' });
    expect(info.channel).toMatchObject({ id: 'C0TRAINING', name: 'ml-training', is_member: true });
    const user = await client.users.info({ user: 'U0APPROVE' });
    expect(user.user).toMatchObject({ id: 'U0APPROVE', name: 'avery', is_bot: false });
    expect(await slackError(client.users.info({ user: 'U0NOBODY' }))).toBe('user_not_found');
    emu.addUser({ id: 'U0NEW', name: 'newbie' });
    expect((await client.users.info({ user: 'U0NEW' })).user?.name).toBe('newbie');
  });

  it('usergroups.users.list lists members or surfaces the configured error', async () => {
    expect((await client.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual([
      'U0APPROVE',
    ]);
    expect(await slackError(client.usergroups.users.list({ usergroup: 'S0NONE' }))).toBe(
      'no_such_subteam',
    );
    emu.setUsergroup('S0APPROVERS', { error: 'plan_upgrade_required' });
    const err = await client.usergroups.users.list({ usergroup: 'S0APPROVERS' }).catch((e) => e);
    expect(err).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'plan_upgrade_required' },
    });
  });
});

describe('views', () => {
  const modal = {
    type: 'modal' as const,
    callback_id: 'pause_reason',
    private_metadata: 'ftjob-abc',
    title: { type: 'plain_text' as const, text: 'Pause job' },
    blocks: [section('Why?')],
  };

  it('views.open needs a trigger id and returns the view; update and publish follow', async () => {
    const res = await client.views.open({ trigger_id: '123.456.abc', view: modal });
    expect(res.view).toMatchObject({ type: 'modal', callback_id: 'pause_reason' });
    expect(res.view?.id).toMatch(/^V/);
    expect(emu.views.get(res.view!.id!)).toMatchObject({ trigger_id: '123.456.abc' });
    const updated = await client.views.update({
      view_id: res.view!.id!,
      hash: res.view!.hash!,
      view: { ...modal, blocks: [section('Really?')] },
    });
    expect(updated.view?.blocks).toEqual([section('Really?')]);
    expect(
      await slackError(client.views.update({ view_id: res.view!.id!, hash: 'stale', view: modal })),
    ).toBe('hash_conflict');
    expect(await slackError(client.apiCall('views.open', { view: modal }))).toBe(
      'invalid_arguments',
    );
    const home = await client.views.publish({
      user_id: 'U0REQUEST',
      view: { type: 'home', blocks: [section('Home')] },
    });
    expect(home.view?.type).toBe('home');
  });
});

describe('response_url', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('records bodies and shows them in the channel: ephemeral by default, or in channel', async () => {
    const seen: string[] = [];
    emu.events.on('response', () => seen.push('response'));
    const url = emu.responseUrl('C0TRAINING', 'U0REQUEST');
    expect(url.startsWith(`${emu.url}/response/`)).toBe(true);
    expect((await post(url, { text: 'just you' })).status).toBe(200);
    expect((await post(url, { text: 'everyone', response_type: 'in_channel' })).status).toBe(200);
    expect(emu.responses.map((r) => r.body.text)).toEqual(['just you', 'everyone']);
    expect(emu.messages.get('C0TRAINING')).toEqual([
      expect.objectContaining({ text: 'just you', ephemeral: true, visibleTo: 'U0REQUEST' }),
      expect.not.objectContaining({ ephemeral: true }),
    ]);
    expect(seen).toHaveLength(2);
  });

  it('replaces or deletes the message the URL was issued for', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'approve?' });
    const url = emu.responseUrl('C0APPROVALS', 'U0APPROVE', ts);
    await post(url, { replace_original: true, text: 'approved', blocks: [section('approved')] });
    expect(emu.messages.get('C0APPROVALS')).toEqual([
      expect.objectContaining({ ts, text: 'approved', blocks: [section('approved')] }),
    ]);
    await post(url, { delete_original: true });
    expect(emu.messages.get('C0APPROVALS')).toEqual([]);
  });

  it('refuses invalid blocks, unknown URLs and a sixth use', async () => {
    const url = emu.responseUrl('C0TRAINING', 'U0REQUEST');
    expect((await post(url, { blocks: [section('')] })).status).toBe(400);
    expect((await post(`${emu.url}/response/nope`, { text: 'x' })).status).toBe(404);
    for (let i = 0; i < 5; i++) expect((await post(url, { text: `${i}` })).status).toBe(200);
    expect((await post(url, { text: 'six' })).status).toBe(404);
    expect(emu.responses).toHaveLength(5);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After, which a client set to reject surfaces', async () => {
    emu.setRateLimit('C0TRAINING', 1);
    const rejecting = clientFor(emu.botToken, { rejectRateLimitedCalls: true });
    await rejecting.chat.postMessage({ channel: 'C0TRAINING', text: 'one' });
    const err = await rejecting.chat
      .postMessage({ channel: 'C0TRAINING', text: 'two' })
      .catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    expect(emu.messages.get('C0TRAINING')?.map((m) => m.text)).toEqual(['one']);
    expect(emu.callsTo('chat.postMessage').map((c) => c.status)).toEqual([200, 429]);
    // Other channels are not limited.
    expect((await rejecting.chat.postMessage({ channel: 'C0APPROVALS', text: 'x' })).ok).toBe(true);
  });

  it('a client that retries waits Retry-After and then succeeds', async () => {
    emu.failNext('chat.postMessage', 'ratelimited');
    const retrying = clientFor(emu.botToken, {
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    });
    const res = await retrying.chat.postMessage({ channel: 'C0TRAINING', text: 'eventually' });
    expect(res.ok).toBe(true);
    expect(emu.callsTo('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual([
      'ratelimited',
      'ok',
    ]);
    expect(emu.messages.get('C0TRAINING')?.map((m) => m.text)).toEqual(['eventually']);
  });

  it('the limiter counts a sliding second and asks for whole seconds', () => {
    const limiter = new ChannelRateLimiter();
    limiter.set('C1', 2);
    expect(limiter.take('C1', 0)).toBeUndefined();
    expect(limiter.take('C1', 100)).toBeUndefined();
    expect(limiter.take('C1', 200)).toBe(1);
    expect(limiter.take('C1', 1000)).toBeUndefined();
    expect(limiter.take('C2', 1000)).toBeUndefined();
    limiter.set('C1', null);
    expect(limiter.take('C1', 1001)).toBeUndefined();
  });
});

describe('Socket Mode', () => {
  let app: App | undefined;
  afterEach(async () => {
    // Bolt's stop() returns before the close handshake ends; wait for it so tests stay apart.
    const closed = new Promise<void>((resolve) => {
      if (!emu.socketConnected()) return resolve();
      emu.events.on('socket', function onSocket() {
        if (emu.socketConnected()) return;
        emu.events.off('socket', onSocket);
        resolve();
      });
    });
    await app?.stop();
    await closed;
    app = undefined;
  });

  const startApp = async () => {
    app = new App({
      token: emu.botToken,
      appToken: emu.appToken,
      socketMode: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    return app;
  };

  it('a real Bolt app connects, and acks a slash command envelope', async () => {
    const bolt = await startApp();
    const commands: string[] = [];
    bolt.command('/ft', async ({ ack, command }) => {
      commands.push(command.text);
      await ack({ text: `ok: ${command.text}` });
    });
    await bolt.start();
    expect(emu.socketConnected()).toBe(true);
    expect(emu.callsTo('apps.connections.open')).toEqual([expect.objectContaining({ ok: true })]);
    const payload = slashCommandPayload({
      text: 'list',
      user_id: 'U0REQUEST',
      channel_id: 'C0TRAINING',
      response_url: emu.responseUrl('C0TRAINING', 'U0REQUEST'),
    });
    const result = await emu.sendSocketEnvelope('slash_commands', payload);
    expect(result).toEqual({ acked: true, ackPayload: { text: 'ok: list' } });
    expect(commands).toEqual(['list']);
    expect(emu.envelopes[0]).toMatchObject({ type: 'slash_commands', acked: true });
  });

  it('Bolt routes the interaction payloads our builders make', async () => {
    const bolt = await startApp();
    const seen: unknown[] = [];
    bolt.action('approve', async ({ ack, body, action }) => {
      await ack();
      seen.push([body.user.id, 'value' in action ? action.value : undefined]);
    });
    bolt.view('pause_reason', async ({ ack, view }) => {
      await ack({ response_action: 'clear' });
      seen.push(view.private_metadata);
    });
    await bolt.start();
    const clicked = await emu.sendSocketEnvelope(
      'interactive',
      blockActionsPayload({
        user: 'U0APPROVE',
        channel: 'C0APPROVALS',
        actionId: 'approve',
        value: 'apr-1',
        blockId: 'decision',
        responseUrl: emu.responseUrl('C0APPROVALS', 'U0APPROVE'),
        message: { ts: '1732000000.000100', text: 'approve?' },
      }),
    );
    const submitted = await emu.sendSocketEnvelope(
      'interactive',
      viewSubmissionPayload({
        user: 'U0REQUEST',
        callbackId: 'pause_reason',
        privateMetadata: 'ftjob-abc',
        values: { reason: { text: { type: 'plain_text_input', value: 'costs' } } },
      }),
    );
    expect(clicked).toEqual({ acked: true, ackPayload: {} });
    expect(submitted).toEqual({ acked: true, ackPayload: { response_action: 'clear' } });
    expect(seen).toEqual([['U0APPROVE', 'apr-1'], 'ftjob-abc']);
  });

  it('a disconnect message makes the app reconnect through apps.connections.open', async () => {
    const receiver = new SocketModeReceiver({
      appToken: emu.appToken,
      logLevel: LogLevel.ERROR,
      // A short ping timeout also shortens the reconnect delay (one timeout per attempt).
      clientPingTimeout: 150,
      installerOptions: { clientOptions: { slackApiUrl: emu.apiUrl } },
    });
    app = new App({
      token: emu.botToken,
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: emu.apiUrl },
    });
    await app.start();
    // 'connected' fires when the client has read the new connection's hello.
    const reconnected = new Promise<void>((resolve) => receiver.client.once('connected', resolve));
    emu.disconnectSockets('refresh_requested');
    await reconnected;
    expect(emu.socketConnected()).toBe(true);
    expect(emu.callsTo('apps.connections.open').map((c) => c.ok)).toEqual([true, true]);
  });

  it('reports an envelope nobody acks, and one sent with no app connected', async () => {
    expect(await emu.sendSocketEnvelope('interactive', { type: 'block_actions' })).toEqual({
      acked: false,
    });
    const { url } = await clientFor(emu.appToken).apps.connections.open();
    const socket = new WebSocket(url!);
    const hello = await new Promise<Record<string, unknown>>((resolve) =>
      socket.once('message', (d) => resolve(JSON.parse(d.toString()))),
    );
    expect(hello).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: 'A0FTOPS' },
    });
    const envelopes: unknown[] = [];
    socket.on('message', (d) => envelopes.push(JSON.parse(d.toString())));
    expect(
      await emu.sendSocketEnvelope('interactive', { type: 'block_actions' }, { timeoutMs: 20 }),
    ).toEqual({ acked: false });
    expect(envelopes[0]).toMatchObject({
      type: 'interactive',
      payload: { type: 'block_actions' },
      accepts_response_payload: true,
      retry_attempt: 0,
      retry_reason: '',
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    emu.disconnectSockets('refresh_requested');
    await new Promise((resolve) => setImmediate(resolve));
    expect(envelopes.at(-1)).toMatchObject({ type: 'disconnect', reason: 'refresh_requested' });
    socket.close();
    await closed;
  });

  it('apps.connections.open wants the app token, and the socket a ticket it issued', async () => {
    expect(await slackError(clientFor('xapp-wrong').apps.connections.open())).toBe('invalid_auth');
    expect(await slackError(client.apps.connections.open())).toBe('not_allowed_token_type');
    const socket = new WebSocket(`${emu.url.replace('http', 'ws')}/socket?ticket=forged`);
    const failed = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(failed.message).toContain('401');
  });
});

describe('parsing and validation properties', () => {
  it('form bodies as @slack/web-api builds them parse back to the same arguments', () => {
    const value = fc.array(fc.record({ type: fc.string(), text: fc.string() }));
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), value, (text, blocks) => {
        const body = new URLSearchParams({
          channel: 'C0TRAINING',
          text,
          blocks: JSON.stringify(blocks),
        }).toString();
        const args = parseArgs('application/x-www-form-urlencoded', body, new URLSearchParams());
        expect(args).toEqual({ channel: 'C0TRAINING', text, blocks });
      }),
    );
  });

  it('a section passes exactly when its text has 1 to 3000 characters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3200 }), (n) => {
        const ok = validateBlocks([section('x'.repeat(n))]).ok;
        expect(ok).toBe(n >= 1 && n <= 3000);
      }),
      { numRuns: 60 },
    );
  });
});
