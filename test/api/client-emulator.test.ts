import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFineTuningClient } from '../../src/api/client.ts';
import {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
} from '../../src/api/errors.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import type { ClientOptions, FineTuningClient } from '../../src/api/types.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { CountingCredential } from './helpers/credentials.ts';

/** The client against the fine-tuning emulator, over real HTTP on 127.0.0.1. */

let emu: FineTuningEmulator;
const clients: FineTuningClient[] = [];

beforeAll(async () => {
  emu = await startFineTuningEmulator({ apiKey: 'emu-key', bearerTokens: ['emu-token'] });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  emu.reset();
});

afterAll(async () => {
  await emu.close();
});

function azure(opts: Partial<ClientOptions> = {}): FineTuningClient {
  const c = createFineTuningClient({
    baseUrl: emu.azureBaseUrl,
    auth: { type: 'api-key', key: 'emu-key' },
    retryPolicy: noDelayRetryPolicy,
    ...opts,
  });
  clients.push(c);
  return c;
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('every method', () => {
  it('getJob reads a job', async () => {
    const added = emu.addJob({ status: 'running', metadata: { team: 'nlp' } });
    const job = await azure().getJob(added.id);
    expect(job.id).toBe(added.id);
    expect(job.status).toBe('running');
    expect(job.metadata).toEqual({ team: 'nlp' });
  });

  it('pauseJob, then the clock, then resumeJob move the job through its states', async () => {
    const c = azure({ apiVersion: 'v1' });
    const { id } = emu.addJob({ status: 'running' });
    expect((await c.pauseJob(id)).status).toBe('pausing');
    emu.clock.advance(60_000);
    expect((await c.getJob(id)).status).toBe('paused');
    expect((await c.resumeJob(id)).status).toBe('resuming');
    expect(emu.requests.every((r) => r.query.includes('api-version=v1'))).toBe(true);
  });

  it('cancelJob cancels', async () => {
    const { id } = emu.addJob({ status: 'queued' });
    expect((await azure().cancelJob(id)).status).toBe('cancelled');
    expect(emu.getJob(id)?.status).toBe('cancelled');
  });

  it('listEvents pages newest first', async () => {
    const c = azure();
    const { id } = emu.addJob({ status: 'running' });
    await c.pauseJob(id);
    emu.clock.advance(60_000);
    const first = await c.listEvents(id, { limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.data[0]?.message).toBe('Fine-tuning job paused');
    expect(first.hasMore).toBe(true);
    const next = await c.listEvents(id, { limit: 1, after: first.data[0]!.id });
    expect(next.data[0]?.message).toBe('Fine-tuning job pausing');
  });

  it('listCheckpoints returns the checkpoints training left', async () => {
    const { id } = emu.addJob({ status: 'running', steps: 10, checkpointEvery: 2 });
    emu.clock.advance(20_000);
    const page = await azure().listCheckpoints(id, { limit: 3 });
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data[0]?.fine_tuning_job_id).toBe(id);
    expect(typeof page.data[0]?.step_number).toBe('number');
  });

  it('listJobs filters by metadata through the OpenAI base URL with a bearer token', async () => {
    emu.addJob({ metadata: { team: 'nlp' } });
    emu.addJob({ metadata: { team: 'vision' } });
    const c = createFineTuningClient({
      baseUrl: emu.openaiBaseUrl,
      auth: { type: 'bearer', token: 'emu-token' },
      retryPolicy: noDelayRetryPolicy,
    });
    clients.push(c);
    const page = await c.listJobs({ metadata: { team: 'vision' } });
    expect(page.data.map((j) => j.metadata)).toEqual([{ team: 'vision' }]);
    expect(page.hasMore).toBe(false);
  });

  it('jobs() walks more than 100 jobs page by page, newest first, each once', async () => {
    const base = 1_700_000_000;
    for (let i = 0; i < 230; i++) emu.addJob({ created_at: base + i, status: 'succeeded' });
    const seen: Array<{ id: string; created_at: number | null }> = [];
    for await (const job of azure().jobs({ limit: 100 })) seen.push(job);
    expect(seen).toHaveLength(230);
    expect(new Set(seen.map((j) => j.id)).size).toBe(230);
    expect(seen.map((j) => j.created_at)).toEqual(
      Array.from({ length: 230 }, (_, i) => base + 229 - i),
    );
    const pages = emu.requests.filter((r) => r.path === '/fine_tuning/jobs');
    expect(pages).toHaveLength(3);
    expect(pages[1]?.query).toContain(`after=${seen[99]?.id}`);
  });

  it('Entra ID: one token for many calls, accepted by the API', async () => {
    const cred = new CountingCredential(60 * 60_000);
    const emuEntra = await startFineTuningEmulator({
      bearerTokens: (t) => t.startsWith('entra-token-'),
    });
    try {
      const c = createFineTuningClient({
        baseUrl: emuEntra.azureBaseUrl,
        auth: { type: 'entra', credential: cred },
        retryPolicy: noDelayRetryPolicy,
      });
      clients.push(c);
      const { id } = emuEntra.addJob();
      await Promise.all(Array.from({ length: 10 }, () => c.getJob(id)));
      for (let i = 0; i < 10; i++) await c.listJobs();
      expect(cred.calls).toBe(1);
      expect(emuEntra.requests.filter((r) => r.status === 200)).toHaveLength(20);
    } finally {
      await emuEntra.close();
    }
  });
});

describe('errors the emulator answers', () => {
  it('an unknown job is "not found"', async () => {
    const err = await caught(azure().getJob('ftjob-doesnotexist'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err?.message).toBe('ftjob-doesnotexist was not found');
  });

  it('pausing a finished job says why, naming the job', async () => {
    const { id } = emu.addJob({ status: 'succeeded' });
    const err = await caught(azure().pauseJob(id));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err?.message).toBe(
      `${id} cannot be paused: Job ${id} is in status succeeded and cannot be paused.`,
    );
    expect(emu.requests).toHaveLength(1);
  });

  it('a wrong key is a 401 that is not retried', async () => {
    const err = await caught(azure({ auth: { type: 'api-key', key: 'wrong-key-123' } }).listJobs());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err?.message).toContain('AZURE_OPENAI_API_KEY');
    expect(err?.message).not.toContain('wrong-key-123');
    expect(emu.requests).toHaveLength(1);
  });
});

describe('faults', () => {
  it('retries 500s and succeeds', async () => {
    const { id } = emu.addJob();
    emu.failNext(2, '500');
    expect((await azure().getJob(id)).id).toBe(id);
    expect(emu.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('gives up after maxRetries with the attempt count and request ID', async () => {
    emu.failNext(10, '500');
    const err = await caught(azure({ maxRetries: 2 }).listJobs());
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err?.message).toMatch(/unavailable \(500\), tried 3 times, request ID [0-9a-f-]{36}/);
    expect(emu.requests).toHaveLength(3);
  });

  it('waits at least the retry-after-ms the 429 asks for', async () => {
    emu.setFaults({ retryAfterMs: 120 });
    emu.failNext(1, '429');
    const started = performance.now();
    await azure().listJobs();
    expect(performance.now() - started).toBeGreaterThanOrEqual(120);
    expect(emu.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('a request that is never answered times out and is retried', async () => {
    emu.failNext(1, 'timeout');
    const page = await azure({ timeoutMs: 150 }).listJobs();
    expect(page.data).toEqual([]);
    expect(emu.requests).toHaveLength(2);
  });

  it('a malformed body is retried, and reported when retries run out', async () => {
    const { id } = emu.addJob();
    emu.failNext(1, 'malformed');
    expect((await azure().getJob(id)).id).toBe(id);
    emu.failNext(1, 'malformed');
    const err = await caught(azure({ maxRetries: 0 }).getJob(id));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err?.message).toContain(`when asked to read ${id}: not JSON`);
  });

  it('a pause whose answer was lost after it took effect returns the pausing job', async () => {
    const { id } = emu.addJob({ status: 'running' });
    emu.failNext(1, '500-after-effect');
    const job = await azure().pauseJob(id);
    expect(job.status).toBe('pausing');
    expect(emu.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `POST /fine_tuning/jobs/${id}/pause 500`,
      `POST /fine_tuning/jobs/${id}/pause 400`,
      `GET /fine_tuning/jobs/${id} 200`,
    ]);
  });

  it('a resume whose answer was lost returns the resuming job', async () => {
    const { id } = emu.addJob({ status: 'paused' });
    emu.failNext(1, '500-after-effect');
    expect((await azure().resumeJob(id)).status).toBe('resuming');
  });

  it('a pause that took effect is not reported failed when every retry fails too', async () => {
    const { id } = emu.addJob({ status: 'running' });
    // The first answer is lost after the pause happened; every retry then gets a 500 as well.
    emu.failNext(1, '500-after-effect');
    emu.failNext(4, '500');
    const job = await azure().pauseJob(id);
    expect(job.status).toBe('pausing');
    expect(emu.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      ...Array.from({ length: 5 }, () => 'POST 500'),
      'GET 200',
    ]);
  });

  it('a pause that failed without effect is still an error after the re-read', async () => {
    const { id } = emu.addJob({ status: 'running' });
    emu.failNext(5, '500');
    const err = await caught(azure().pauseJob(id));
    expect(err).toBeInstanceOf(InternalServerError);
    expect(emu.getJob(id)?.status).toBe('running');
  });
});
