import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../src/bot/http-server.ts';
import { createWebhookDedupe } from '../../src/bot/webhooks/dedupe.ts';
import { createWebhookRoute, type WebhookRouteOptions } from '../../src/bot/webhooks/route.ts';
import { signWebhook } from '../../src/bot/webhooks/standard-webhooks.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/** The webhook route over real HTTP on 127.0.0.1, deduplicating on the real Redis. */

const SECRETS = {
  default: `whsec_${randomBytes(32).toString('base64')}`,
  eastus: `whsec_${randomBytes(24).toString('base64')}`,
};
const RESOURCES = new Map(Object.entries(SECRETS));
const JOB = 'ftjob-Qk2ZxW8yv3pT1aR9sL0mN4cB';

interface Call {
  resource: string;
  jobId: string;
  type: string;
}

/** A logger that keeps what it is told, to check for failures logged and secrets not logged. */
function recordingLogger() {
  const lines: Array<{ level: string; obj: unknown; msg: string }> = [];
  const at = (level: string) => (obj: unknown, msg?: string) =>
    void lines.push({ level, obj, msg: msg ?? '' });
  const logger: Pick<Logger, 'info' | 'warn'> = { info: at('info'), warn: at('warn') };
  return { lines, logger };
}

let t: TestRedis;
let server: Server | undefined;
let base: string;
let calls: Call[];
let log: ReturnType<typeof recordingLogger>;

beforeEach(() => {
  t = openTestRedis();
  calls = [];
  log = recordingLogger();
});

afterEach(async () => {
  if (server) {
    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    server.closeAllConnections(); // a failed test may leave a request open; cleanup must still run
    await closed;
  }
  server = undefined;
  await t.cleanup();
});

async function listenOn(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function start(opts: Partial<WebhookRouteOptions> = {}) {
  const route = createWebhookRoute({
    resources: RESOURCES,
    claimDelivery: createWebhookDedupe(t.redis, t.keys.webhook),
    onJobEvent: (resource, jobId, type) => void calls.push({ resource, jobId, type }),
    logger: log.logger,
    ...opts,
  });
  await listenOn(route);
}

function eventBody(type = 'fine_tuning.job.succeeded', jobId = JOB): string {
  return JSON.stringify({
    object: 'event',
    id: `evt_${randomBytes(16).toString('hex')}`,
    type,
    created_at: 1_719_168_000,
    data: { id: jobId },
  });
}

function signedHeaders(
  body: string,
  o: { id?: string; timestamp?: number; secret?: string } = {},
): Record<string, string> {
  const id = o.id ?? `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = signWebhook({ id, timestamp, body, secret: o.secret ?? SECRETS.default });
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

describe('createWebhookRoute', () => {
  it('tells onJobEvent of a verified fine-tuning event once and claims its webhook-id for a day', async () => {
    await start();
    for (const type of [
      'fine_tuning.job.succeeded',
      'fine_tuning.job.failed',
      'fine_tuning.job.cancelled',
    ]) {
      const body = eventBody(type);
      const headers = signedHeaders(body, { id: `msg_${type}` });
      const res = await post('/webhooks/openai/default', body, headers);
      expect(res).toMatchObject({ status: 200, json: { ok: true } });
      const ttl = await t.redis.ttl(t.keys.webhook(`msg_${type}`));
      expect(ttl).toBeGreaterThan(86_000);
      expect(ttl).toBeLessThanOrEqual(86_400);
    }
    expect(calls).toEqual([
      { resource: 'default', jobId: JOB, type: 'fine_tuning.job.succeeded' },
      { resource: 'default', jobId: JOB, type: 'fine_tuning.job.failed' },
      { resource: 'default', jobId: JOB, type: 'fine_tuning.job.cancelled' },
    ]);
  });

  it('answers a redelivery (same webhook-id, signed again) as a duplicate and tells no one', async () => {
    await start();
    const body = eventBody();
    const first = signedHeaders(body, { id: 'msg_again' });
    expect((await post('/webhooks/openai/default', body, first)).json).toEqual({ ok: true });
    const replay = await post('/webhooks/openai/default', body, first);
    const resigned = signedHeaders(body, {
      id: 'msg_again',
      timestamp: Number(first['webhook-timestamp']) + 30,
    });
    const retry = await post('/webhooks/openai/default', body, resigned);
    for (const res of [replay, retry])
      expect(res).toMatchObject({ status: 200, json: { ok: true, duplicate: true } });
    expect(calls).toHaveLength(1);
  });

  it('tells two copies racing in at once apart: exactly one is acted on', async () => {
    await start();
    const body = eventBody();
    const headers = signedHeaders(body, { id: 'msg_race' });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post('/webhooks/openai/default', body, headers)),
    );
    expect(answers.filter((a) => a.json.duplicate === true)).toHaveLength(7);
    expect(calls).toHaveLength(1);
  });

  it("knows each resource by its path and checks it against that resource's secret", async () => {
    await start();
    const body = eventBody();
    const east = await post(
      '/webhooks/openai/eastus',
      body,
      signedHeaders(body, { secret: SECRETS.eastus }),
    );
    expect(east.status).toBe(200);
    const crossed = await post('/webhooks/openai/eastus', body, signedHeaders(body));
    expect(crossed).toMatchObject({ status: 401, json: { ok: false, error: 'bad_signature' } });
    expect(calls).toEqual([{ resource: 'eastus', jobId: JOB, type: 'fine_tuning.job.succeeded' }]);
  });

  it('answers 404 for a resource it does not know', async () => {
    await start();
    const body = eventBody();
    for (const path of [
      '/webhooks/openai/westus',
      '/webhooks/openai/',
      '/webhooks/openai/default/extra',
      '/webhooks/openai/DEFAULT',
      '/webhooks/other/default',
    ]) {
      const res = await post(path, body, signedHeaders(body));
      expect(res).toMatchObject({ status: 404, json: { ok: false, error: 'unknown_resource' } });
    }
    // A query string is not part of the resource name.
    expect((await post('/webhooks/openai/default?x=1', body, signedHeaders(body))).status).toBe(
      200,
    );
    expect(calls).toHaveLength(1);
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    await start({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ ...JSON.parse(eventBody()), pad: 'x'.repeat(5000) });
    expect((await post('/webhooks/openai/default', big, signedHeaders(big))).status).toBe(413);
    const chunks = [big.slice(0, 1000), big.slice(1000)];
    const streamed = await fetch(`${base}/webhooks/openai/default`, {
      method: 'POST',
      headers: signedHeaders(big),
      body: new ReadableStream({
        pull(c) {
          const next = chunks.shift();
          if (next === undefined) c.close();
          else c.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toEqual({ ok: false, error: 'body_too_large' });
    expect(calls).toHaveLength(0);
  });

  it('refuses an unsigned, forged, tampered or stale delivery with 401 and a short reason', async () => {
    await start();
    const body = eventBody();
    const good = signedHeaders(body);
    const { 'webhook-signature': _s, ...unsigned } = good;
    const forged = signedHeaders(body, { secret: `whsec_${randomBytes(32).toString('base64')}` });
    const stale = signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const future = signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) + 301 });
    const cases: Array<[string, Record<string, string>, string]> = [
      [body, unsigned, 'missing_headers'],
      [body, forged, 'bad_signature'],
      [body.replace(JOB, 'ftjob-someoneElsesJob'), good, 'bad_signature'],
      [body, { ...good, 'webhook-id': `${good['webhook-id']}x` }, 'bad_signature'],
      [body, stale, 'stale'],
      [body, future, 'stale'],
      [body, { ...good, 'webhook-timestamp': 'soon' }, 'bad_timestamp'],
    ];
    for (const [sent, headers, reason] of cases) {
      const res = await post('/webhooks/openai/default', sent, headers);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ ok: false, error: reason });
    }
    expect(calls).toHaveLength(0);
    // Refusals claimed nothing: the genuine delivery still goes through.
    expect((await post('/webhooks/openai/default', body, good)).json).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
  });

  it('never puts the secret or the body into an answer or a log line', async () => {
    await start();
    const body = eventBody('fine_tuning.job.failed');
    const answers = [
      await post('/webhooks/openai/default', body, signedHeaders(body, { secret: SECRETS.eastus })),
      await post('/webhooks/openai/default', body, signedHeaders(body)),
      await post(
        '/webhooks/openai/default',
        '{"not":"an event"}',
        signedHeaders('{"not":"an event"}'),
      ),
    ];
    const seen = JSON.stringify([answers, log.lines]);
    for (const secret of Object.values(SECRETS)) {
      expect(seen).not.toContain(secret);
      expect(seen).not.toContain(secret.slice('whsec_'.length));
    }
    expect(seen).not.toContain(JSON.parse(body).id);
    expect(seen).not.toContain('an event');
  });

  it('answers 400 for a signed body that is not JSON or not an event', async () => {
    await start();
    const cases: Array<[string, string]> = [
      ['not json', 'malformed_body'],
      ['', 'malformed_body'],
      ['null', 'not_an_event'],
      ['{"type":"fine_tuning.job.succeeded"}', 'not_an_event'],
      [eventBody('fine_tuning.job.succeeded', 'ftjob-../../admin'), 'not_an_event'],
      [eventBody('fine_tuning.job.succeeded', 'file-abc'), 'not_an_event'],
    ];
    for (const [body, error] of cases) {
      const res = await post('/webhooks/openai/default', body, signedHeaders(body));
      expect(res).toMatchObject({ status: 400, json: { ok: false, error } });
    }
    expect(calls).toHaveLength(0);
  });

  it('acknowledges other event types without acting or claiming', async () => {
    await start();
    const body = eventBody('batch.completed', 'batch_abc');
    const headers = signedHeaders(body, { id: 'msg_batch' });
    const res = await post('/webhooks/openai/default', body, headers);
    expect(res).toMatchObject({ status: 200, json: { ok: true, ignored: true } });
    expect(calls).toHaveLength(0);
    expect(await t.redis.exists(t.keys.webhook('msg_batch'))).toBe(0);
  });

  it('answers while onJobEvent is still working', async () => {
    let release = () => {};
    let finished = false;
    await start({
      onJobEvent: (resource, jobId, type) => {
        calls.push({ resource, jobId, type });
        return new Promise<void>((resolve) => {
          release = () => {
            finished = true;
            resolve();
          };
        });
      },
    });
    const body = eventBody();
    const res = await post('/webhooks/openai/default', body, signedHeaders(body));
    expect(res.json).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(finished).toBe(false);
    release();
  });

  it('logs an onJobEvent that fails, by rejecting or by throwing, and still answers 200', async () => {
    let n = 0;
    await start({
      onJobEvent: () => {
        n += 1;
        if (n === 1) return Promise.reject(new Error('queue is full'));
        throw new Error('not ready');
      },
    });
    for (let i = 0; i < 2; i++) {
      const body = eventBody();
      expect((await post('/webhooks/openai/default', body, signedHeaders(body))).status).toBe(200);
    }
    await new Promise((r) => setImmediate(r));
    const failures = log.lines.filter((l) => l.msg === 'acting on a webhook failed');
    expect(failures).toHaveLength(2);
    expect(failures.every((l) => l.level === 'warn')).toBe(true);
  });

  it('asks for a retry (503) when Redis cannot say whether the delivery is new, and acts on the retry', async () => {
    const down = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {}); // the refused connection is the point of this test
    let claim = createWebhookDedupe(down, t.keys.webhook);
    await start({ claimDelivery: (id) => claim(id) });
    const body = eventBody();
    const headers = signedHeaders(body);
    const res = await post('/webhooks/openai/default', body, headers);
    expect(res).toMatchObject({ status: 503, json: { ok: false, error: 'store_unavailable' } });
    expect(calls).toHaveLength(0);
    claim = createWebhookDedupe(t.redis, t.keys.webhook);
    expect((await post('/webhooks/openai/default', body, headers)).json).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    down.disconnect();
  });

  it('checks timestamps against the clock it is given', async () => {
    const signedAt = 1_700_000_000;
    await start({ clock: () => (signedAt + 200) * 1000 });
    const body = eventBody();
    expect(
      (await post('/webhooks/openai/default', body, signedHeaders(body, { timestamp: signedAt })))
        .status,
    ).toBe(200);
    const body2 = eventBody();
    const res = await post('/webhooks/openai/default', body2, signedHeaders(body2));
    expect(res).toMatchObject({ status: 401, json: { error: 'stale' } });
  });

  it('refuses anything but POST', async () => {
    await start();
    const res = await fetch(`${base}/webhooks/openai/default`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('refuses at creation a resource whose secret is not whsec_ and base64', () => {
    const opts = { claimDelivery: async () => true, onJobEvent: () => {} };
    for (const secret of ['', 'plain-secret', 'whsec_', 'whsec_%%%%']) {
      expect(() => createWebhookRoute({ ...opts, resources: new Map([['bad', secret]]) })).toThrow(
        /resource bad/,
      );
    }
    const err = (() => {
      try {
        createWebhookRoute({ ...opts, resources: new Map([['bad', 'plain-secret']]) });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).not.toContain('plain-secret');
  });
});

describe('createHttpServer with webhooks', () => {
  it('hands POST /webhooks/openai/* to the route, and nothing else', async () => {
    const route = createWebhookRoute({
      resources: RESOURCES,
      claimDelivery: createWebhookDedupe(t.redis, t.keys.webhook),
      onJobEvent: (resource, jobId, type) => void calls.push({ resource, jobId, type }),
    });
    const app = createHttpServer({
      webhooks: route,
      readiness: async () => ({ ok: true, checks: {} }),
    });
    server = app;
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const body = eventBody();
    expect((await post('/webhooks/openai/default', body, signedHeaders(body))).json).toEqual({
      ok: true,
    });
    expect((await fetch(`${base}/webhooks/openai/default`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('answers 404 on the webhook path when no route is mounted', async () => {
    const app = createHttpServer({ readiness: async () => ({ ok: true, checks: {} }) });
    server = app;
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const body = eventBody();
    expect((await post('/webhooks/openai/default', body, signedHeaders(body))).status).toBe(404);
  });
});
