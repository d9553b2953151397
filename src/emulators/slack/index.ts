/**
 * A local stand-in for the Slack Web API, response URLs and Socket Mode, faithful enough that
 * the official @slack/web-api client and a real Bolt app talk to it unchanged.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleFileDownload, handleUpload } from './files.ts';
import { SLACK_WORKSPACE } from './fixtures.ts';
import type { MethodContext } from './methods.ts';
import { ChannelRateLimiter } from './rate-limit.ts';
import { sendJson } from './reply.ts';
import { handleResponseUrl } from './response-url.ts';
import { SocketHub } from './socket.ts';
import { Workspace } from './state.ts';
import type {
  PostedHook,
  SlackCall,
  SlackEmulator,
  SlackEmulatorOptions,
  SlackResponse,
} from './types.ts';
import { createWebApiHandler } from './web-api.ts';

export { validateBlocks } from './blocks.ts';
export type { SlackFile } from './files.ts';
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
export type {
  PostedCall,
  PostedHook,
  SlackCall,
  SlackEmulator,
  SlackEmulatorOptions,
  SlackResponse,
} from './types.ts';

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
  const ctx: MethodContext = { ws, socketUrl: () => hub.issueUrl(), baseUrl: () => base };

  const handleApi = createWebApiHandler({
    ws,
    ctx,
    limiter,
    botToken,
    appToken,
    failures,
    calls,
    postedHooks,
  });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const done = (p: Promise<void>) =>
      p.catch((err: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(err) });
      });
    const tagged = CLIENT_PATH.exec(url.pathname);
    if (url.pathname.startsWith('/api/')) {
      done(handleApi(req, res, url.pathname.slice('/api/'.length), url.searchParams));
    } else if (tagged) {
      done(handleApi(req, res, tagged[2] as string, url.searchParams, tagged[1]));
    } else if (url.pathname.startsWith('/upload/v1/')) {
      done(handleUpload(req, res, url.pathname.slice('/upload/v1/'.length), ws));
    } else if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) {
      handleFileDownload(req, res, url.pathname, ws, botToken);
    } else if (req.method === 'POST' && url.pathname.startsWith('/response/')) {
      done(handleResponseUrl(req, res, `${base}${url.pathname}`, { ws, responses }));
    } else {
      sendJson(res, 404, { ok: false, error: 'not_found' });
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
    files: ws.files,
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
    sendSocketEnvelope: (type, payload, o) => hub.send(type, payload, o?.timeoutMs, o?.retryOf),
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
