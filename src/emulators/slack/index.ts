/**
 * A local stand-in for the Slack Web API, response URLs and Socket Mode, faithful enough that
 * the official @slack/web-api client and a real Bolt app talk to it unchanged.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Args, parseArgs, readBody, str } from './args.ts';
import { validateBlocks } from './blocks.ts';
import {
  SLACK_WORKSPACE,
  type SlackChannel,
  type SlackMessage,
  type SlackUser,
} from './fixtures.ts';
import { METHODS, type MethodContext, SlackApiError } from './methods.ts';
import { ChannelRateLimiter } from './rate-limit.ts';
import { applyResponse, RESPONSE_URL_MAX_USES } from './response-url.ts';
import {
  type EnvelopeRecord,
  type EnvelopeResult,
  type EnvelopeType,
  SocketHub,
} from './socket.ts';
import { type SlackView, Workspace } from './state.ts';

export { validateBlocks } from './blocks.ts';
export {
  DEFAULT_CHANNELS,
  DEFAULT_USERGROUPS,
  DEFAULT_USERS,
  SLACK_WORKSPACE,
  type SlackChannel,
  type SlackMessage,
  type SlackUser,
} from './fixtures.ts';
export type { EnvelopeRecord, EnvelopeResult, EnvelopeType } from './socket.ts';
export type { SlackView } from './state.ts';

/** One Web API call as the emulator answered it (the token is left out of `args`). */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  ok: boolean;
  error?: string;
  /** HTTP status, 200 unless rate limited (429). */
  status: number;
  /** The client's name when it called through `apiUrlFor(name)`. */
  client?: string;
}

/** A chat.postMessage or chat.update Slack accepted: the message is stored, the answer not sent. */
export interface PostedCall {
  method: 'chat.postMessage' | 'chat.update';
  /** The client's name when it called through `apiUrlFor(name)`. */
  client?: string;
  channel: string;
  ts: string;
  args: Record<string, unknown>;
}

/** Told of every accepted post or update; the answer waits for the promise it returns. */
export type PostedHook = (posted: PostedCall) => void | Promise<void>;

/** One body POSTed to a response_url. */
export interface SlackResponse {
  url: string;
  body: Record<string, unknown>;
  at: number;
}

/** Options of {@link startSlackEmulator}. */
export interface SlackEmulatorOptions {
  port?: number;
  botToken?: string;
  appToken?: string;
  /** How long sendSocketEnvelope waits for an ack; Slack's own limit is 3 s. */
  ackTimeoutMs?: number;
}

/** A running Slack emulator; see docs/CONTRACTS.md ("Slack emulator"). */
export interface SlackEmulator {
  url: string;
  apiUrl: string;
  /** `${url}/c/<client>/api/`: the same API, with `client` noted on each call (tell bots apart). */
  apiUrlFor(client: string): string;
  botToken: string;
  appToken: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  responseUrl(channel?: string, user?: string, messageTs?: string): string;
  responses: SlackResponse[];
  messages: Map<string, SlackMessage[]>;
  views: Map<string, SlackView>;
  envelopes: EnvelopeRecord[];
  events: EventEmitter;
  addUser(u: SlackUser): void;
  setUsergroup(id: string, members: string[] | { error: string }): void;
  addChannel(c: SlackChannel): void;
  setRateLimit(channel: string, perSecond: number | null): void;
  /**
   * Calls `hook` after each successful chat.postMessage or chat.update has stored its message
   * and before the answer is sent, holding the answer until the hook settles (e.g. to kill the
   * caller between Slack accepting a post and the caller recording it). Returns an unsubscribe.
   */
  onPosted(hook: PostedHook): () => void;
  failNext(method: string, error: string): void;
  socketConnected(): boolean;
  sendSocketEnvelope(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    opts?: { timeoutMs?: number },
  ): Promise<EnvelopeResult>;
  disconnectSockets(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
  reset(): void;
  close(): Promise<void>;
}

/** Methods limited per channel by setRateLimit (Slack's chat.* "special" rate limit). */
const CHANNEL_LIMITED = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update']);
/** Methods `onPosted` hooks hear about. */
const POSTED = new Set(['chat.postMessage', 'chat.update']);
/** A client name in `/c/<client>/api/<method>`. */
const CLIENT_PATH = /^\/c\/([A-Za-z0-9_-]{1,64})\/api\/(.+)$/;

/** Starts the emulator on 127.0.0.1 (a free port unless `port` is given). */
export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const botToken = opts.botToken ?? 'xoxb-ftops-test';
  const appToken = opts.appToken ?? 'xapp-1-ftops-test';
  const ws = new Workspace();
  const limiter = new ChannelRateLimiter();
  const failures = new Map<string, string[]>();
  const calls: SlackCall[] = [];
  const responses: SlackResponse[] = [];
  const postedHooks = new Set<PostedHook>();
  let base = '';
  const hub = new SocketHub({
    wsBase: () => base.replace(/^http/, 'ws'),
    appId: SLACK_WORKSPACE.appId,
    ackTimeoutMs: opts.ackTimeoutMs ?? 3000,
    events: ws.events,
  });
  const ctx: MethodContext = { ws, socketUrl: () => hub.issueUrl() };

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  function record(
    method: string,
    args: Args,
    status: number,
    answer: Record<string, unknown>,
    client: string | undefined,
  ) {
    const call: SlackCall = { method, args, at: Date.now(), ok: answer.ok === true, status };
    if (typeof answer.error === 'string') call.error = answer.error;
    if (client !== undefined) call.client = client;
    calls.push(call);
    ws.events.emit('call', call);
  }

  function tokenProblem(method: string, token: string | undefined): string | undefined {
    if (token === undefined) return 'not_authed';
    const wanted = method === 'apps.connections.open' ? appToken : botToken;
    if (token === wanted) return undefined;
    return token === appToken || token === botToken ? 'not_allowed_token_type' : 'invalid_auth';
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    query: URLSearchParams,
    client?: string,
  ) {
    const raw = await readBody(req);
    let args: Args;
    try {
      args = parseArgs(req.headers['content-type'], raw, query);
    } catch {
      return send(res, 200, { ok: false, error: 'invalid_json' });
    }
    const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? str(args, 'token');
    delete args.token;
    const answer = (
      status: number,
      body: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => {
      record(method, args, status, body, client);
      // Slack lists the token's scopes on every answer; @slack/web-api reads them from here.
      const scopes: Record<string, string> =
        token === botToken ? { 'x-oauth-scopes': SLACK_WORKSPACE.botScopes.join(',') } : {};
      send(res, status, body, { ...scopes, ...headers });
    };
    const handler = METHODS[method];
    if (!handler) return answer(200, { ok: false, error: 'unknown_method', req_method: method });
    const authError = tokenProblem(method, token);
    if (authError) return answer(200, { ok: false, error: authError });
    const injected = failures.get(method)?.shift();
    if (injected === 'ratelimited') {
      return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    }
    if (injected) return answer(200, { ok: false, error: injected });
    const channelRef = str(args, 'channel');
    if (CHANNEL_LIMITED.has(method) && channelRef !== undefined) {
      const retryAfter = limiter.take(ws.resolveChannel(channelRef)?.id ?? channelRef);
      if (retryAfter !== undefined) {
        return answer(
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(retryAfter) },
        );
      }
    }
    let result: Record<string, unknown>;
    try {
      result = handler(args, ctx);
    } catch (err) {
      if (!(err instanceof SlackApiError)) throw err;
      return answer(200, { ok: false, error: err.error, ...err.extra });
    }
    if (POSTED.has(method) && postedHooks.size > 0) {
      const posted: PostedCall = {
        method: method as PostedCall['method'],
        channel: String(result.channel),
        ts: String(result.ts),
        args,
        ...(client !== undefined ? { client } : {}),
      };
      for (const hook of [...postedHooks]) await hook(posted);
    }
    answer(200, { ok: true, ...result });
  }

  async function handleResponseUrl(req: IncomingMessage, res: ServerResponse, url: string) {
    const target = ws.responseTargets.get(url);
    const raw = await readBody(req);
    if (!target) return send(res, 404, { ok: false, error: 'no_such_url' });
    if (target.uses >= RESPONSE_URL_MAX_USES)
      return send(res, 404, { ok: false, error: 'used_url' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, { ok: false, error: 'invalid_payload' });
    }
    if (body.blocks !== undefined) {
      const check = validateBlocks(body.blocks, 'message');
      if (!check.ok)
        return send(res, 400, { ok: false, error: check.error, messages: check.messages });
    }
    target.uses += 1;
    const entry = { url, body, at: Date.now() };
    responses.push(entry);
    ws.events.emit('response', entry);
    applyResponse(ws, target, body);
    send(res, 200, { ok: true });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const done = (p: Promise<void>) =>
      p.catch((err: unknown) => {
        if (!res.headersSent)
          send(res, 500, { ok: false, error: 'internal_error', detail: String(err) });
      });
    const tagged = CLIENT_PATH.exec(url.pathname);
    if (url.pathname.startsWith('/api/')) {
      done(handleApi(req, res, url.pathname.slice('/api/'.length), url.searchParams));
    } else if (tagged) {
      done(handleApi(req, res, tagged[2] as string, url.searchParams, tagged[1]));
    } else if (req.method === 'POST' && url.pathname.startsWith('/response/')) {
      done(handleResponseUrl(req, res, `${base}${url.pathname}`));
    } else {
      send(res, 404, { ok: false, error: 'not_found' });
    }
  });
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/api/`,
    apiUrlFor(client) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(client)) throw new Error(`bad client name: ${client}`);
      return `${base}/c/${client}/api/`;
    },
    botToken,
    appToken,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responseUrl(channel, user, messageTs) {
      const url = `${base}/response/${randomBytes(12).toString('hex')}`;
      ws.responseTargets.set(url, { channel, user, messageTs, uses: 0 });
      return url;
    },
    responses,
    messages: ws.messages,
    views: ws.views,
    envelopes: hub.envelopes,
    events: ws.events,
    addUser: (u) => void ws.users.set(u.id, { ...u }),
    setUsergroup: (id, members) =>
      void ws.usergroups.set(id, Array.isArray(members) ? [...members] : { ...members }),
    addChannel: (c) =>
      void ws.channels.set(c.id, { isMember: true, ...c, name: c.name.replace(/^#/, '') }),
    setRateLimit: (channel, perSecond) => limiter.set(channel, perSecond),
    onPosted(hook) {
      postedHooks.add(hook);
      return () => void postedHooks.delete(hook);
    },
    failNext(method, error) {
      const queue = failures.get(method) ?? [];
      queue.push(error);
      failures.set(method, queue);
    },
    socketConnected: () => hub.connected(),
    sendSocketEnvelope: (type, payload, o) => hub.send(type, payload, o?.timeoutMs),
    disconnectSockets: (reason) => hub.disconnectAll(reason),
    reset() {
      ws.reset();
      limiter.reset();
      failures.clear();
      postedHooks.clear();
      calls.length = 0;
      responses.length = 0;
      hub.reset();
    },
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
