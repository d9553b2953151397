import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookDedupe } from '../../src/bot/webhooks/dedupe.ts';
import { createWebhookRoute } from '../../src/bot/webhooks/route.ts';
import { signWebhook } from '../../src/bot/webhooks/standard-webhooks.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * End to end: the fine-tuning emulator finishes jobs and sends its webhooks over real HTTP to
 * the real route, which deduplicates on the real Redis.
 */

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let t: TestRedis;
let receiver: Server;
let hookUrl: string;
let emu: FineTuningEmulator | undefined;
let calls: Array<{ resource: string; jobId: string; type: string }>;

beforeEach(async () => {
  t = openTestRedis();
  calls = [];
  receiver = createServer(
    createWebhookRoute({
      resources: new Map([['default', SECRET]]),
      claimDelivery: createWebhookDedupe(t.redis, t.keys.webhook),
      onJobEvent: (resource, jobId, type) => void calls.push({ resource, jobId, type }),
    }),
  );
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/openai/default`;
});

afterEach(async () => {
  await emu?.close();
  emu = undefined;
  const closed = new Promise<void>((resolve) => receiver.close(() => resolve()));
  receiver.closeAllConnections(); // a failed test may leave a request open; cleanup must still run
  await closed;
  await t.cleanup();
});

async function startEmulator(url = hookUrl) {
  emu = await startFineTuningEmulator({ webhooks: { url, secret: SECRET } });
  return emu;
}

async function cancelOverApi(e: FineTuningEmulator, id: string) {
  return fetch(`${e.openaiBaseUrl}/fine_tuning/jobs/${id}/cancel`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-token' },
  });
}

describe('fine-tuning emulator webhooks into the route', () => {
  it('sends one succeeded event when a job trains to the end, and nothing more after', async () => {
    const e = await startEmulator();
    const job = e.addJob({ status: 'running', steps: 3, step: 1 });
    e.clock.advance(1_000);
    await e.webhooksSettled();
    expect(calls).toEqual([]); // still running: no event yet
    e.clock.advance(10_000);
    e.clock.advance(60_000);
    await e.webhooksSettled();
    expect(calls).toEqual([
      { resource: 'default', jobId: job.id, type: 'fine_tuning.job.succeeded' },
    ]);
    const [delivery] = e.webhookDeliveries;
    expect(e.webhookDeliveries).toHaveLength(1);
    expect(delivery!.attempts).toMatchObject([{ status: 200 }]);
    expect(JSON.parse(delivery!.body)).toEqual({
      object: 'event',
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'fine_tuning.job.succeeded',
      created_at: e.getJob(job.id)!.finished_at,
      data: { id: job.id },
    });
  });

  it('sends one cancelled event for a cancel over the API, none for a refused second cancel', async () => {
    const e = await startEmulator();
    const job = e.addJob({ status: 'running' });
    expect((await cancelOverApi(e, job.id)).status).toBe(200);
    expect((await cancelOverApi(e, job.id)).status).toBe(400);
    e.clock.advance(3_600_000);
    await e.webhooksSettled();
    expect(calls).toEqual([
      { resource: 'default', jobId: job.id, type: 'fine_tuning.job.cancelled' },
    ]);
  });

  it('sends a failed event for a job that fails, and one per finish of each job', async () => {
    const e = await startEmulator();
    const failing = e.addJob({
      status: 'running',
      fail: { code: 'invalid_file', message: 'bad row' },
    });
    const byHand = e.addJob({ status: 'paused' });
    e.addJob({ status: 'succeeded' }); // added finished: it never finished here
    e.addJob({ status: 'cancelled' });
    const pausing = e.addJob({ status: 'running', steps: 1000 });
    e.clock.advance(5_000);
    e.setStatus(byHand.id, 'cancelled');
    e.setStatus(pausing.id, 'paused');
    e.setStatus(pausing.id, 'running');
    await e.webhooksSettled();
    expect(calls).toHaveLength(2);
    expect(calls).toEqual(
      expect.arrayContaining([
        { resource: 'default', jobId: failing.id, type: 'fine_tuning.job.failed' },
        { resource: 'default', jobId: byHand.id, type: 'fine_tuning.job.cancelled' },
      ]),
    );
    // Set back by hand and finished again: a new event under a new webhook-id.
    e.setStatus(byHand.id, 'running');
    e.setStatus(byHand.id, 'succeeded');
    await e.webhooksSettled();
    expect(calls.at(-1)).toEqual({
      resource: 'default',
      jobId: byHand.id,
      type: 'fine_tuning.job.succeeded',
    });
    const ids = e.webhookDeliveries.map((d) => d.webhookId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9]{27}$/);
  });

  it('a redelivered event is answered as a duplicate and acted on once', async () => {
    const e = await startEmulator();
    const job = e.addJob({ status: 'running' });
    await cancelOverApi(e, job.id);
    await e.webhooksSettled();
    const [delivery] = e.webhookDeliveries;
    const again = await e.redeliverWebhook(delivery!.webhookId);
    const thrice = await e.redeliverWebhook(delivery!.webhookId);
    expect(again.status).toBe(200);
    expect(thrice.status).toBe(200);
    expect(delivery!.attempts).toHaveLength(3);
    expect(calls).toHaveLength(1);
    expect(await t.redis.exists(t.keys.webhook(delivery!.webhookId))).toBe(1);
    await expect(e.redeliverWebhook('msg_unknown')).rejects.toThrow(/no webhook delivery/);
  });

  it('a forged event gets 401 and no call', async () => {
    const e = await startEmulator();
    const job = e.addJob({ status: 'running' });
    const other = e.addJob({ status: 'running' });
    await cancelOverApi(e, job.id);
    await e.webhooksSettled();
    const real = e.webhookDeliveries[0]!;
    const now = Math.floor(Date.now() / 1000);
    const forgedBody = real.body.replace(job.id, other.id);
    const attempts = [
      // Signed with a secret that is not the resource's.
      {
        body: forgedBody,
        id: 'msg_forged1',
        signature: signWebhook({
          id: 'msg_forged1',
          timestamp: now,
          body: forgedBody,
          secret: `whsec_${randomBytes(32).toString('base64')}`,
        }),
      },
      // The genuine signature of a real delivery, over a body that names another job.
      {
        body: forgedBody,
        id: 'msg_forged2',
        signature: signWebhook({
          id: 'msg_forged2',
          timestamp: now,
          body: real.body,
          secret: SECRET,
        }),
      },
    ];
    for (const a of attempts) {
      const res = await fetch(hookUrl, {
        method: 'POST',
        body: a.body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': a.id,
          'webhook-timestamp': String(now),
          'webhook-signature': a.signature,
        },
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ ok: false, error: 'bad_signature' });
    }
    expect(calls).toEqual([
      { resource: 'default', jobId: job.id, type: 'fine_tuning.job.cancelled' },
    ]);
  });

  it("sends what the openai package verifies as the platform's own webhooks", async () => {
    const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const raw = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end();
      });
    });
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    try {
      const e = await startEmulator(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/hook`);
      const job = e.addJob({ status: 'running', steps: 2, step: 1 });
      e.clock.advance(1_000);
      await e.webhooksSettled();
      expect(seen).toHaveLength(1);
      const { headers, body } = seen[0]!;
      expect(headers['content-type']).toBe('application/json');
      const client = new OpenAI({ apiKey: 'x', webhookSecret: SECRET });
      const event = await client.webhooks.unwrap(body, headers as Record<string, string>);
      expect(event).toMatchObject({ type: 'fine_tuning.job.succeeded', data: { id: job.id } });
    } finally {
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });

  it('keeps working when the receiver is down, and records the failed attempt', async () => {
    const gone = createServer();
    gone.listen(0, '127.0.0.1');
    await once(gone, 'listening');
    const deadUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/webhooks/openai/default`;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const e = await startEmulator(deadUrl);
    const job = e.addJob({ status: 'running' });
    expect((await cancelOverApi(e, job.id)).status).toBe(200);
    await e.webhooksSettled();
    expect(e.webhookDeliveries[0]!.attempts).toMatchObject([
      { status: 0, error: expect.any(String) },
    ]);
    const read = await fetch(`${e.openaiBaseUrl}/fine_tuning/jobs/${job.id}`, {
      headers: { authorization: 'Bearer test-token' },
    });
    expect(((await read.json()) as { status: string }).status).toBe('cancelled');
  });

  it('sends nothing without the webhooks option', async () => {
    emu = await startFineTuningEmulator();
    const job = emu.addJob({ status: 'running', steps: 2, step: 1 });
    emu.clock.advance(60_000);
    expect(emu.getJob(job.id)?.status).toBe('succeeded');
    await emu.webhooksSettled();
    expect(emu.webhookDeliveries).toEqual([]);
    await expect(emu.redeliverWebhook('msg_x')).rejects.toThrow(/without webhooks/);
    expect(calls).toEqual([]);
  });
});
