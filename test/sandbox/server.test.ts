import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf } from '../../src/emulators/slack/inspect.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { firstFreePort, freePort } from '../../src/sandbox/ports.ts';
import { ensureRedis, NoRedisError, redisAnswers } from '../../src/sandbox/redis.ts';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import { REDIS_URL } from '../support/redis.ts';

/** A raw HTTP request, so the test can send the Host and Origin a browser on another site would. */
function call(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('the sandbox server', () => {
  let sandbox: Sandbox;
  let redis: Redis;

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      namespace: `test-${randomUUID()}`,
      logLevel: 'silent',
    });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await sandbox?.stop();
    await redis?.quit();
  });

  const api = (path: string) => `${sandbox.url}sandbox/api/${path}`;

  it('serves the page with a policy that allows only its own scripts', async () => {
    const page = await call(sandbox.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/web/app.js">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await call(`${sandbox.url}web/render.js`);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await call(`${sandbox.url}web/render.d.ts`)).status).toBe(404);
    expect((await call(`${sandbox.url}web/..%2Findex.ts`)).status).toBe(404);
  });

  it('starts with #ml-training watching every job, confirmed to riley only', async () => {
    const state = JSON.parse((await call(api('state'))).body);
    const roles = Object.fromEntries(
      state.directory.users.map((u: { name: string; role: string }) => [u.name, u.role]),
    );
    expect(roles).toMatchObject({ riley: 'requester', avery: 'approver', sam: 'outsider' });
    const watch = state.messages.find((m: { text: string }) => m.text.includes('every'));
    expect(watch).toMatchObject({ channel: 'C0TRAINING', ephemeral: true, visibleTo: 'U0REQUEST' });
    expect(state.commands.map((c: { verb: string }) => c.verb)).toContain('pause');
  });

  it('answers only its own page: another Host, Origin or a form post is refused', async () => {
    const command = json({ user: 'U0REQUEST', channel: 'C0TRAINING', text: '/ft help' });
    const evilHost = await call(api('command'), {
      ...command,
      headers: { ...command.headers, host: 'evil.test' },
    });
    expect(evilHost.status).toBe(403);
    const evilOrigin = await call(api('command'), {
      ...command,
      headers: { ...command.headers, origin: 'http://evil.test' },
    });
    expect(evilOrigin.status).toBe(403);
    const form = await call(api('command'), {
      ...command,
      headers: { 'content-type': 'text/plain' },
    });
    expect(form.status).toBe(403);
    expect((await call(api('state'), { headers: { host: 'evil.test' } })).status).toBe(403);
  });

  it('sends only /ft commands, from known people in known channels', async () => {
    const notFt = await call(
      api('command'),
      json({ user: 'U0REQUEST', channel: 'C0TRAINING', text: '/deploy now' }),
    );
    expect(notFt.status).toBe(400);
    expect(JSON.parse(notFt.body).error).toBe(
      '/deploy is not a valid command here. Only /ft commands reach the bot here; try /ft help.',
    );
    const upper = await call(
      api('command'),
      json({ user: 'U0REQUEST', channel: 'C0TRAINING', text: '/FT LIST 3' }),
    );
    expect(upper.status).toBe(200);
    const long = await call(
      api('command'),
      json({ user: 'U0REQUEST', channel: 'C0TRAINING', text: `/ft status ${'x'.repeat(4_030)}` }),
    );
    expect(long.status).toBe(400);
    expect(JSON.parse(long.body).error).toBe(
      'That command is 4,041 characters long; Slack sends at most 4,000 characters of a slash command. Shorten it and send it again.',
    );
    const stranger = await call(
      api('command'),
      json({ user: 'U0NOBODY', channel: 'C0TRAINING', text: '/ft help' }),
    );
    expect(stranger.status).toBe(400);
    expect(JSON.parse(stranger.body).error).toBe('unknown user');
  });

  it('changes a job by hand, as something outside ftops would', async () => {
    const queued = sandbox.jobIds[4] as string;
    const res = await call(
      api('job-status'),
      json({ resource: 'azure-eastus', id: queued, status: 'failed' }),
    );
    expect(res.status).toBe(200);
    expect(sandbox.ft.getJob(queued)?.error?.message).toContain('sandbox side panel');
    const panel = JSON.parse((await call(api('fine-tuning?since=0,0'))).body);
    expect(panel.jobs.find((j: { id: string }) => j.id === queued)).toMatchObject({
      resource: 'azure-eastus',
      key: `azure-eastus:${queued}`,
      status: 'failed',
    });
    const bad = await call(
      api('job-status'),
      json({ resource: 'azure-eastus', id: queued, status: 'deleted' }),
    );
    expect(bad.status).toBe(400);
    // The job is on azure-eastus only: the other resource has no such job to change.
    const elsewhere = await call(
      api('job-status'),
      json({ resource: 'openai-platform', id: queued, status: 'failed' }),
    );
    expect(elsewhere.status).toBe(400);
    expect(JSON.parse(elsewhere.body).error).toBe('No such job in the sandbox.');
  });

  it('leaves no keys of its namespace behind when stopped', async () => {
    const other = await startSandbox({
      port: 0,
      namespace: `test-${randomUUID()}`,
      logLevel: 'silent',
    });
    expect(await redis.keys(`{${other.namespace}}*`)).not.toEqual([]);
    await other.stop();
    expect(await redis.keys(`{${other.namespace}}*`)).toEqual([]);
  });
});

describe('the sandbox honours the approval settings and shows them', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      namespace: `test-${randomUUID()}`,
      logLevel: 'silent',
      rules: { FT_APPROVALS_REQUIRED: '2', FT_APPROVER_SELF_SERVICE: 'false' },
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  const api = (path: string) => `${sandbox.url}sandbox/api/${path}`;

  /** The Approve button of the request about `jobId` in #approvals, once it is there. */
  async function approveButtonFor(jobId: string) {
    for (let i = 0; i < 250; i++) {
      for (const m of sandbox.slack.messages.get('C0APPROVALS') ?? []) {
        const found = buttonsOf(m.blocks).find((x) => x.actionId === APPROVE_REQUEST);
        if (m.text.includes(jobId) && found) return { ts: m.ts, value: found.value };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no request message');
  }
  const approve = (user: string, b: { ts: string; value: string }) =>
    call(
      api('click'),
      json({
        user,
        channel: 'C0APPROVALS',
        ts: b.ts,
        actionId: APPROVE_REQUEST,
        blockId: 'x',
        value: b.value,
      }),
    );

  it('lists the rules in force, a second approver among the people', async () => {
    const state = JSON.parse((await call(api('state'))).body);
    expect(state.rules).toEqual([
      'Pause and cancel need 2 approvals (FT_APPROVALS_REQUIRED=2, FT_GATED_ACTIONS=pause,cancel).',
      'Approvers: avery and jordan; a requester never approves their own request.',
      "An approver's own request still needs another approver (FT_APPROVER_SELF_SERVICE=false).",
      'Requests expire after 60 minutes (FT_APPROVAL_TTL_MINUTES).',
    ]);
    expect(
      state.directory.users.map((u: { name: string; role: string }) => `${u.name}:${u.role}`),
    ).toEqual(expect.arrayContaining(['avery:approver', 'jordan:approver', 'riley:requester']));
  });

  it('a pause needs both avery and jordan', async () => {
    const job = sandbox.jobIds[0] as string;
    await call(
      api('command'),
      json({ user: 'U0REQUEST', channel: 'C0TRAINING', text: `/ft pause ${job} budget` }),
    );
    const b = await approveButtonFor(job);
    expect((await approve('U0APPROVE', b)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(sandbox.ft.getJob(job)?.status).toBe('running');
    expect((await approve('U0APPROV2', b)).status).toBe(200);
    for (let i = 0; i < 250 && sandbox.ft.getJob(job)?.status === 'running'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(['pausing', 'paused']).toContain(sandbox.ft.getJob(job)?.status);
  });
});

describe('finding Redis and a port', () => {
  it('uses the Redis at REDIS_URL, and starts one on its port when a local one does not answer', async () => {
    expect((await ensureRedis({ url: REDIS_URL })).private).toBe(false);
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const started = await ensureRedis({ url: dead });
    try {
      expect(started).toMatchObject({ url: dead, private: true });
      expect(await redisAnswers(dead)).toBe(true);
    } finally {
      await started.stop();
    }
    expect(await redisAnswers(dead)).toBe(false);
  });

  it('says what to do when a local REDIS_URL does not answer and redis-server is missing', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const err = await ensureRedis({ url: dead, command: 'ftops-no-such-redis-server' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoRedisError);
    expect((err as Error).message).toContain('redis-server is not installed to start one there');
    expect((err as Error).message).toMatch(/apt-get install redis-server[\s\S]*docker run/);
  });

  it('starts nothing for a remote REDIS_URL that does not answer, and says to check or unset it', async () => {
    const err = await ensureRedis({ url: 'redis://ftops-nowhere.invalid:6379' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoRedisError);
    expect((err as Error).message).toBe(
      'Nothing answers at REDIS_URL (redis://ftops-nowhere.invalid:6379). Check that this Redis is running and reachable from here, or unset REDIS_URL and the sandbox uses 127.0.0.1:6379 or starts a private redis-server.',
    );
  });

  it('explains how to get Redis when none answers and redis-server is not installed', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const err = await ensureRedis({
      defaultUrl: dead,
      command: 'ftops-no-such-redis-server',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoRedisError);
    expect((err as Error).message).toContain('Nothing answers at');
  });

  it('starts a private redis-server when nothing answers, and stops it again', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const found = await ensureRedis({ defaultUrl: dead }).catch((e: unknown) => e);
    // redis-server is installed wherever the tests run (.ci/run makes sure), so a refusal
    // here is a failure, not a pass with advice.
    expect(found).not.toBeInstanceOf(NoRedisError);
    const redis = found as Awaited<ReturnType<typeof ensureRedis>>;
    expect(redis.private).toBe(true);
    expect(await redisAnswers(redis.url)).toBe(true);
    await redis.stop();
    expect(await redisAnswers(redis.url)).toBe(false);
  });

  it('moves to the next free port when the asked one is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const port = await firstFreePort(taken);
      expect(port).toBeGreaterThan(taken);
    } finally {
      blocker.close();
    }
  });
});
