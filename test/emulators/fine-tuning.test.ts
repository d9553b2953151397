import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isValidJobId } from '../../src/api/job-id.ts';
import {
  ErrorBodySchema,
  FineTuningJobEventSchema,
  FineTuningJobSchema,
} from '../../src/api/schemas.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { JobStore } from '../../src/emulators/fine-tuning/job-store.ts';
import { handleApiRequest } from '../../src/emulators/fine-tuning/routes.ts';

const KEY = { 'api-key': 'test-key' };

/** The published Azure v1 schemas, to check that what the emulator sends is what Azure sends. */
const azure = (() => {
  const spec = parseYaml(
    readFileSync('/work/shared/specs/azure-ai-foundry-models-v1.fine-tuning-extract.yaml', 'utf8'),
  );
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(openApiNullable(spec) as object, 'azure');
  return (name: string, value: unknown) => {
    const validate = ajv.getSchema(`azure#/components/schemas/${name}`)!;
    const ok = validate(value);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
})();

/** OpenAPI 3.0's `nullable: true` as JSON Schema: the node, or null. */
function openApiNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiNullable);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, openApiNullable(v)]));
  return nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

async function call(
  emu: FineTuningEmulator,
  path: string,
  init: { method?: string; headers?: Record<string, string>; base?: string } = {},
) {
  const res = await fetch(`${init.base ?? emu.azureBaseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers ?? KEY,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: raw bodies are probed field by field in assertions
  return { status: res.status, headers: res.headers, text, body: body as any };
}

function openaiClient(emu: FineTuningEmulator) {
  return new OpenAI({ apiKey: 'test-token', baseURL: emu.openaiBaseUrl, maxRetries: 0 });
}

describe('fine-tuning emulator', () => {
  let emu: FineTuningEmulator;
  beforeAll(async () => {
    emu = await startFineTuningEmulator({ startTime: Date.UTC(2025, 0, 1) });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  describe('through the official openai client', () => {
    it('lists every job newest first across pages, with no repeats', async () => {
      const added = [];
      for (let i = 0; i < 130; i++) {
        // Runs of equal created_at, so the ID tie-break is exercised too.
        added.push(emu.addJob({ created_at: 1_735_000_000 + Math.floor(i / 3) }));
      }
      const expected = added
        .sort((a, b) => b.created_at! - a.created_at! || (a.id < b.id ? 1 : -1))
        .map((j) => j.id);
      const seen: string[] = [];
      for await (const job of openaiClient(emu).fineTuning.jobs.list({ limit: 50 }))
        seen.push(job.id);
      expect(seen).toEqual(expected);
      const pages = emu.requests.filter((r) => r.path === '/fine_tuning/jobs');
      expect(pages.map((r) => r.query.includes('after='))).toEqual([false, true, true]);
    });

    it('retrieves a job shaped like the published Azure schema', async () => {
      const added = emu.addJob({ user_provided_suffix: 'support-bot', metadata: { team: 'a' } });
      const job = await openaiClient(emu).fineTuning.jobs.retrieve(added.id);
      expect(job).toEqual(added);
      expect(job.object).toBe('fine_tuning.job');
      expect(job.id).toMatch(/^ftjob-[A-Za-z0-9]{24}$/);
      expect(isValidJobId(job.id)).toBe(true);
      expect(azure('OpenAI.FineTuningJob', job)).toEqual([]);
      // The validator is live: Azure's v1 schema does not list the pause statuses.
      expect(azure('OpenAI.FineTuningJob', { ...job, status: 'paused' })).not.toEqual([]);
      expect(FineTuningJobSchema.parse(job).status).toBe('running');
    });

    it('pauses, resumes and cancels (two-step modes by default)', async () => {
      const client = openaiClient(emu);
      const { id } = emu.addJob({ steps: 50 });
      expect((await client.fineTuning.jobs.pause(id)).status).toBe('pausing');
      emu.clock.advance(5_000);
      expect((await client.fineTuning.jobs.retrieve(id)).status).toBe('paused');
      const tokensWhilePaused = emu.getJob(id)!.trained_tokens;
      emu.clock.advance(60_000);
      expect(emu.getJob(id)!.trained_tokens).toBe(tokensWhilePaused);

      expect((await client.fineTuning.jobs.resume(id)).status).toBe('resuming');
      emu.clock.advance(5_000);
      expect(emu.getJob(id)!.status).toBe('running');
      emu.clock.advance(3_000);
      expect(emu.getJob(id)!.trained_tokens).toBeGreaterThan(tokensWhilePaused!);

      const cancelled = await client.fineTuning.jobs.cancel(id);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.finished_at).toBe(Math.floor(emu.clock.now() / 1000));

      const messages = [];
      for await (const e of client.fineTuning.jobs.listEvents(id, { limit: 5 })) {
        if (e.type === 'message') messages.push(e.message);
      }
      expect(messages.slice(0, 5)).toEqual([
        'Fine-tuning job cancelled',
        'Fine-tuning job resumed',
        'Fine-tuning job resuming',
        'Fine-tuning job paused',
        'Fine-tuning job pausing',
      ]);
    });

    it('accepts the Azure api-key header on the /openai/v1 root', async () => {
      const { id } = emu.addJob();
      const client = new OpenAI({
        apiKey: 'not-a-known-token',
        baseURL: emu.azureBaseUrl,
        defaultHeaders: KEY,
        defaultQuery: { 'api-version': 'preview' },
        maxRetries: 0,
      });
      expect((await client.fineTuning.jobs.retrieve(id)).id).toBe(id);
      expect(emu.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: `/fine_tuning/jobs/${id}`,
        query: 'api-version=preview',
        status: 200,
      });
    });

    it('maps errors to the client’s error classes', async () => {
      const client = openaiClient(emu);
      const done = emu.addJob({ status: 'succeeded' });
      const err = await client.fineTuning.jobs.pause(done.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err).toMatchObject({
        status: 400,
        code: 'invalidJobState',
        message: `400 Job ${done.id} is in status succeeded and cannot be paused.`,
      });
      expect((err as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^[0-9a-f-]{36}$/);
      await expect(client.fineTuning.jobs.retrieve('ftjob-nope')).rejects.toBeInstanceOf(
        OpenAI.NotFoundError,
      );
      const stranger = new OpenAI({ apiKey: 'wrong', baseURL: emu.openaiBaseUrl, maxRetries: 0 });
      await expect(stranger.fineTuning.jobs.list()).rejects.toBeInstanceOf(
        OpenAI.AuthenticationError,
      );
      emu.failNext(1, '429');
      await expect(client.fineTuning.jobs.list()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
      emu.failNext(1, '500');
      await expect(client.fineTuning.jobs.list()).rejects.toBeInstanceOf(
        OpenAI.InternalServerError,
      );
    });
  });

  describe('lifecycle on the virtual clock', () => {
    it('validates, queues, trains step by step and succeeds', async () => {
      const client = openaiClient(emu);
      const job = emu.addJob({
        status: 'validating_files',
        model: 'gpt-4o-mini-2024-07-18',
        user_provided_suffix: 'sql-helper',
        steps: 6,
        hyperparameters: { n_epochs: 3, batch_size: 1, learning_rate_multiplier: 1 },
        tokensPerStep: 500,
      });
      expect(job.trained_tokens).toBeNull();
      expect(job.estimated_finish).toBe(Math.floor(emu.clock.now() / 1000) + 10 + 20 + 6);
      emu.clock.advance(9_999);
      expect(emu.getJob(job.id)!.status).toBe('validating_files');
      emu.clock.advance(1);
      expect(emu.getJob(job.id)!.status).toBe('queued');
      emu.clock.advance(20_000);
      expect(emu.getJob(job.id)!.status).toBe('running');
      emu.clock.advance(2_000);
      expect(emu.getJob(job.id)).toMatchObject({ status: 'running', trained_tokens: 1_000 });

      const [latest] = (await client.fineTuning.jobs.listEvents(job.id, { limit: 1 })).data;
      expect(latest).toMatchObject({
        type: 'metrics',
        level: 'info',
        message: expect.stringMatching(/^Step 2\/6: training loss=\d/),
        data: { step: 2, total_steps: 6, train_loss: expect.any(Number) },
      });
      expect(latest!.data).toHaveProperty('train_mean_token_accuracy');

      emu.clock.advance(4_000);
      const done = await client.fineTuning.jobs.retrieve(job.id);
      expect(done).toMatchObject({
        status: 'succeeded',
        trained_tokens: 3_000,
        finished_at: Math.floor(emu.clock.now() / 1000),
        estimated_finish: null,
        error: null,
      });
      expect(done.fine_tuned_model).toMatch(
        /^ft:gpt-4o-mini-2024-07-18:org:sql-helper:[A-Za-z0-9]{8}$/,
      );
      expect(done.result_files).toHaveLength(1);
      expect(azure('OpenAI.FineTuningJob', done)).toEqual([]);

      const checkpoints = await client.fineTuning.jobs.checkpoints.list(job.id);
      expect(checkpoints.data.map((c) => c.step_number)).toEqual([6, 4, 2]);
      expect(checkpoints.data[0]!.fine_tuned_model_checkpoint).toBe(
        `${done.fine_tuned_model}:ckpt-step-6`,
      );
      const rawCheckpoints = await call(emu, `/fine_tuning/jobs/${job.id}/checkpoints`);
      expect(azure('OpenAI.ListFineTuningJobCheckpointsResponse', rawCheckpoints.body)).toEqual([]);
      const events = await call(emu, `/fine_tuning/jobs/${job.id}/events?limit=100`);
      expect(azure('OpenAI.ListFineTuningJobEventsResponse', events.body)).toEqual([]);
      expect(events.body.data.slice(0, 2).map((e: { message: string }) => e.message)).toEqual([
        'The job has successfully completed',
        `New fine-tuned model created: ${done.fine_tuned_model}`,
      ]);
    });

    it('fails a job planned to fail, at validation or at a step', async () => {
      const atValidation = emu.addJob({
        status: 'validating_files',
        fail: { code: 'invalid_training_file', message: 'Line 3 is not valid JSON.' },
      });
      const atStep = emu.addJob({
        steps: 10,
        fail: { code: 'internal_error', message: 'Boom.', atStep: 4 },
      });
      emu.clock.advance(10_000);
      expect(emu.getJob(atValidation.id)).toMatchObject({
        status: 'failed',
        error: { code: 'invalid_training_file', message: 'Line 3 is not valid JSON.', param: null },
        fine_tuned_model: null,
      });
      expect(emu.getJob(atStep.id)).toMatchObject({
        status: 'failed',
        trained_tokens: 4_000,
        error: { code: 'internal_error', message: 'Boom.' },
      });
      const events = await call(emu, `/fine_tuning/jobs/${atValidation.id}/events`);
      expect(events.body.data[0]).toMatchObject({
        level: 'error',
        message: 'Fine-tuning job failed: Line 3 is not valid JSON.',
      });
    });

    it('caps stored metrics events but keeps every message event', async () => {
      const { id } = emu.addJob({
        status: 'running',
        step: 0,
        steps: 2_000,
        durations: { stepMs: 1 },
      });
      emu.clock.advance(2_000);
      const events = [];
      for await (const e of openaiClient(emu).fineTuning.jobs.listEvents(id, { limit: 100 })) {
        events.push(e);
      }
      const metrics = events.filter((e) => e.type === 'metrics');
      expect(metrics.length).toBeLessThan(1_000);
      expect((metrics[0]!.data as { step: number }).step).toBe(2_000);
      expect(events.filter((e) => e.type === 'message').map((e) => e.message)).toContain(
        'Created fine-tuning job',
      );
    });

    it('changes a status by hand and logs it as an event', async () => {
      const { id } = emu.addJob({ status: 'queued' });
      emu.setStatus(id, 'failed', {
        error: { code: 'quota', message: 'Out of quota.', param: null },
      });
      expect(emu.getJob(id)).toMatchObject({
        status: 'failed',
        error: { code: 'quota', message: 'Out of quota.' },
        finished_at: Math.floor(emu.clock.now() / 1000),
      });
      emu.setStatus(id, 'running');
      expect(emu.getJob(id)).toMatchObject({ status: 'running', finished_at: null });
      const events = await call(emu, `/fine_tuning/jobs/${id}/events?limit=1`);
      expect(events.body.data[0].message).toBe('Fine-tuning job started');
      expect(() => emu.setStatus('ftjob-missing', 'running')).toThrow();
    });

    it('moves a job whose created_at changes to its new place in the list', async () => {
      const older = emu.addJob({ created_at: 100 });
      const newer = emu.addJob({ created_at: 200 });
      emu.setStatus(older.id, 'running', { created_at: 300 });
      const list = await call(emu, '/fine_tuning/jobs');
      expect(list.body.data.map((j: { id: string }) => j.id)).toEqual([older.id, newer.id]);
    });
  });

  describe('pause and resume rules', () => {
    it('refuses invalid transitions with a 400 in the Azure shape', async () => {
      const fresh = emu.addJob({ step: 0 });
      const queued = emu.addJob({ status: 'queued' });
      const running = emu.addJob();
      const cancelled = emu.addJob({ status: 'cancelled' });
      const cases = [
        [fresh.id, 'pause', `Job ${fresh.id} has not trained any steps yet and cannot be paused.`],
        [queued.id, 'pause', `Job ${queued.id} is in status queued and cannot be paused.`],
        [running.id, 'resume', `Job ${running.id} is in status running and cannot be resumed.`],
        [
          cancelled.id,
          'cancel',
          `Job ${cancelled.id} is in status cancelled and cannot be cancelled.`,
        ],
      ] as const;
      for (const [id, verb, message] of cases) {
        const res = await call(emu, `/fine_tuning/jobs/${id}/${verb}`, { method: 'POST' });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ error: { code: 'invalidJobState', message } });
        expect(azure('AzureErrorResponse', res.body)).toEqual([]);
      }
      expect(emu.getJob(running.id)!.status).toBe('running');
      await call(emu, `/fine_tuning/jobs/${running.id}/pause`, { method: 'POST' });
      const again = await call(emu, `/fine_tuning/jobs/${running.id}/pause`, { method: 'POST' });
      expect(again.body.error.message).toBe(
        `Job ${running.id} is in status pausing and cannot be paused.`,
      );
    });

    it('pauses directly and resumes through queued when configured like OpenAI’s examples', async () => {
      const openaiLike = await startFineTuningEmulator({
        pauseMode: 'direct',
        resumeMode: 'queued',
      });
      try {
        const client = openaiClient(openaiLike);
        const { id } = openaiLike.addJob();
        expect((await client.fineTuning.jobs.pause(id)).status).toBe('paused');
        expect((await client.fineTuning.jobs.resume(id)).status).toBe('queued');
        openaiLike.clock.advance(5_000);
        expect(openaiLike.getJob(id)!.status).toBe('running');
      } finally {
        await openaiLike.close();
      }
    });

    it('cancels from every unfinished status', async () => {
      for (const status of [
        'validating_files',
        'queued',
        'running',
        'pausing',
        'paused',
        'resuming',
      ]) {
        const { id } = emu.addJob({ status });
        const res = await call(emu, `/fine_tuning/jobs/${id}/cancel`, { method: 'POST' });
        expect([status, res.body.status]).toEqual([status, 'cancelled']);
        emu.clock.advance(60_000);
        expect(emu.getJob(id)!.status).toBe('cancelled');
      }
    });
  });

  describe('HTTP surface', () => {
    it('serves the same handlers under /openai/v1 and /v1, with request-ID headers', async () => {
      const { id } = emu.addJob();
      const a = await call(emu, `/fine_tuning/jobs/${id}`);
      const b = await call(emu, `/fine_tuning/jobs/${id}`, { base: emu.openaiBaseUrl });
      expect(a.body).toEqual(b.body);
      expect(a.headers.get('apim-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers.get('apim-request-id')).not.toBe(b.headers.get('apim-request-id'));
      expect(emu.requests.map((r) => r.path)).toEqual([
        `/fine_tuning/jobs/${id}`,
        `/fine_tuning/jobs/${id}`,
      ]);
    });

    it('answers 404 NotFound for unknown and malformed job IDs', async () => {
      for (const id of ['ftjob-unknown', 'abc', 'ftjob-a%2F..', 'ftjob-%E2%80%8B', 'file-abc']) {
        const res = await call(emu, `/fine_tuning/jobs/${id}`);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('NotFound');
        expect(ErrorBodySchema.safeParse(res.body).success).toBe(true);
      }
      const route = await call(emu, '/fine_tuning/nothing');
      expect([route.status, route.body.error.code]).toEqual([404, '404']);
      const get = await call(emu, `/fine_tuning/jobs/${emu.addJob().id}/pause`);
      expect(get.status).toBe(405);
    });

    it('answers 401 in the Azure shape without a valid key or token', async () => {
      const attempts: Array<Record<string, string>> = [
        {},
        { 'api-key': 'wrong' },
        { authorization: 'Bearer wrong' },
        { authorization: 'test-token' },
      ];
      for (const headers of attempts) {
        const res = await call(emu, '/fine_tuning/jobs', { headers });
        expect(res.status).toBe(401);
        expect(res.body.error).toEqual({
          code: '401',
          message: expect.stringMatching(
            /^Access denied due to invalid subscription key or wrong API endpoint/,
          ),
        });
      }
      const ok = await call(emu, '/fine_tuning/jobs', {
        headers: { authorization: 'Bearer test-token' },
      });
      expect(ok.status).toBe(200);
    });

    it('accepts any token a bearer predicate allows (Entra ID)', async () => {
      const entra = await startFineTuningEmulator({
        apiKey: 'k',
        bearerTokens: (t) => t.startsWith('eyJ'),
      });
      try {
        const yes = await call(entra, '/fine_tuning/jobs', {
          headers: { authorization: 'Bearer eyJhbGciOi.x.y' },
        });
        const no = await call(entra, '/fine_tuning/jobs', {
          headers: { authorization: 'Bearer test-token' },
        });
        expect([yes.status, no.status]).toEqual([200, 401]);
      } finally {
        await entra.close();
      }
    });

    it('accepts api-version v1 and preview and refuses any other', async () => {
      for (const [version, status] of [
        ['v1', 200],
        ['preview', 200],
        ['2024-10-21', 400],
        ['', 400],
      ] as const) {
        const res = await call(emu, `/fine_tuning/jobs?api-version=${version}`);
        expect([version, res.status]).toEqual([version, status]);
        if (status === 400) expect(res.body.error.param).toBe('api-version');
      }
    });

    it('pages with limit, after and has_more, and refuses limits outside 1..100', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(emu.addJob({ created_at: 1000 + i }).id);
      ids.reverse();
      const first = await call(emu, '/fine_tuning/jobs?limit=2');
      expect(first.body).toEqual({ object: 'list', data: expect.any(Array), has_more: true });
      expect(first.body.data.map((j: { id: string }) => j.id)).toEqual(ids.slice(0, 2));
      const last = await call(emu, `/fine_tuning/jobs?limit=3&after=${ids[1]}`);
      expect(last.body.data.map((j: { id: string }) => j.id)).toEqual(ids.slice(2));
      expect(last.body.has_more).toBe(false);
      expect(azure('OpenAI.ListPaginatedFineTuningJobsResponse', last.body)).toEqual([]);
      const whole = await call(emu, '/fine_tuning/jobs');
      expect([whole.body.data.length, whole.body.has_more]).toEqual([5, false]);
      const gone = await call(emu, '/fine_tuning/jobs?after=ftjob-gone');
      expect(gone.body).toEqual({ object: 'list', data: [], has_more: false });
      for (const limit of ['0', '101', '-1', 'abc', '2.5']) {
        const res = await call(emu, `/fine_tuning/jobs?limit=${limit}`);
        expect([limit, res.status, res.body.error.param]).toEqual([limit, 400, 'limit']);
      }
      const max = await call(emu, '/fine_tuning/jobs?limit=100');
      expect(max.status).toBe(200);
    });

    it('filters by metadata[k]=v, and metadata= means no metadata', async () => {
      const a = emu.addJob({ metadata: { team: 'support', env: 'prod' }, created_at: 3 });
      const b = emu.addJob({ metadata: { team: 'support' }, created_at: 2 });
      const c = emu.addJob({ metadata: { team: 'legal' }, created_at: 1 });
      const none = emu.addJob({ created_at: 0 });
      const client = openaiClient(emu);
      const support = await client.fineTuning.jobs.list({ metadata: { team: 'support' } });
      expect(support.data.map((j) => j.id)).toEqual([a.id, b.id]);
      const prod = await client.fineTuning.jobs.list({
        metadata: { team: 'support', env: 'prod' },
      });
      expect(prod.data.map((j) => j.id)).toEqual([a.id]);
      const paged = await call(emu, '/fine_tuning/jobs?metadata[team]=support&limit=1');
      expect([paged.body.data[0].id, paged.body.has_more]).toEqual([a.id, true]);
      const lastSupport = await call(
        emu,
        `/fine_tuning/jobs?metadata[team]=support&limit=1&after=${a.id}`,
      );
      expect([lastSupport.body.data[0].id, lastSupport.body.has_more]).toEqual([b.id, false]);
      const without = await client.fineTuning.jobs.list({ metadata: null });
      expect(without.data.map((j) => j.id)).toEqual([none.id]);
      expect(c.id).toBeDefined();
    });

    it('pages events and checkpoints newest first', async () => {
      const { id } = emu.addJob({ steps: 20, step: 0, checkpointEvery: 2 });
      emu.clock.advance(10_000);
      const first = await call(emu, `/fine_tuning/jobs/${id}/events?limit=3`);
      expect(first.body.has_more).toBe(true);
      expect(first.body.data.map((e: { data: { step: number } }) => e.data.step)).toEqual([
        10, 9, 8,
      ]);
      const next = await call(
        emu,
        `/fine_tuning/jobs/${id}/events?limit=2&after=${first.body.data[2].id}`,
      );
      expect(next.body.data.map((e: { data: { step: number } }) => e.data.step)).toEqual([7, 6]);
      for (const e of next.body.data)
        expect(FineTuningJobEventSchema.safeParse(e).success).toBe(true);
      const cps = await call(emu, `/fine_tuning/jobs/${id}/checkpoints`);
      expect(cps.body.data.map((c: { step_number: number }) => c.step_number)).toEqual([
        10, 8, 6, 4, 2,
      ]);
      expect(cps.body.has_more).toBe(false);
      const cpPage = await call(
        emu,
        `/fine_tuning/jobs/${id}/checkpoints?limit=2&after=${cps.body.data[1].id}`,
      );
      expect(cpPage.body).toMatchObject({ has_more: true, first_id: cps.body.data[2].id });
      expect(cpPage.body.data.map((c: { step_number: number }) => c.step_number)).toEqual([6, 4]);
    });

    it('holds 5,000 jobs and serves any page of them', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5_000; i++) ids.push(emu.addJob({ created_at: 10_000 + i }).id);
      ids.reverse();
      const page = await call(emu, `/fine_tuning/jobs?limit=100&after=${ids[2_499]}`);
      expect(page.body.data.map((j: { id: string }) => j.id)).toEqual(ids.slice(2_500, 2_600));
      emu.clock.advance(1_000);
      expect(emu.getJob(ids[0]!)!.trained_tokens).toBe(2_000);
    });
  });

  describe('fault injection', () => {
    it('answers 429 with retry hints and leaves the job alone', async () => {
      emu.setFaults({ retryAfterMs: 1_500 });
      const { id } = emu.addJob();
      emu.failNext(1, '429');
      const res = await call(emu, `/fine_tuning/jobs/${id}/pause`, { method: 'POST' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after-ms')).toBe('1500');
      expect(res.headers.get('retry-after')).toBe('2');
      expect(res.body.error.code).toBe('429');
      expect(azure('AzureErrorResponse', res.body)).toEqual([]);
      expect(emu.getJob(id)!.status).toBe('running');
      const retry = await call(emu, `/fine_tuning/jobs/${id}/pause`, { method: 'POST' });
      expect(retry.body.status).toBe('pausing');
    });

    it('answers 500 without taking effect, and 500-after-effect after taking it', async () => {
      const { id } = emu.addJob();
      emu.failNext(2, '500');
      emu.failNext(1, '500-after-effect');
      for (let i = 0; i < 2; i++) {
        const res = await call(emu, `/fine_tuning/jobs/${id}/pause`, { method: 'POST' });
        expect([res.status, res.body.error.code]).toEqual([500, 'InternalServerError']);
        expect(emu.getJob(id)!.status).toBe('running');
      }
      const lost = await call(emu, `/fine_tuning/jobs/${id}/pause`, { method: 'POST' });
      expect(lost.status).toBe(500);
      expect(emu.getJob(id)!.status).toBe('pausing');
      expect(emu.requests.map((r) => r.status)).toEqual([500, 500, 500]);
    });

    it('answers 200 with a body that is not JSON when malformed', async () => {
      const { id } = emu.addJob();
      emu.failNext(1, 'malformed');
      const res = await call(emu, `/fine_tuning/jobs/${id}/cancel`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
      expect(emu.getJob(id)!.status).toBe('running');
    });

    it('never answers a timed-out request, and close() still ends at once', async () => {
      const hanging = await startFineTuningEmulator();
      const { id } = hanging.addJob();
      hanging.failNext(1, 'timeout');
      const pending = fetch(`${hanging.azureBaseUrl}/fine_tuning/jobs/${id}/pause`, {
        method: 'POST',
        headers: KEY,
      });
      await expect.poll(() => hanging.requests.length).toBe(1);
      expect(hanging.requests[0]!.status).toBe(0);
      expect(hanging.getJob(id)!.status).toBe('running');
      await hanging.close();
      await expect(pending).rejects.toThrow();
    });

    it('lets a client give up on a timed-out request and then succeed', async () => {
      emu.failNext(1, 'timeout');
      const gaveUp = await fetch(`${emu.azureBaseUrl}/fine_tuning/jobs`, {
        headers: KEY,
        signal: AbortSignal.timeout(50),
      }).catch((e: Error) => e.name);
      expect(gaveUp).toBe('TimeoutError');
      expect((await call(emu, '/fine_tuning/jobs')).status).toBe(200);
    });

    it('draws random faults from a seeded PRNG, so a seed replays the same run', async () => {
      const run = async () => {
        emu.reset();
        emu.setFaults({ rate: 0.5, kinds: ['429', '500', 'malformed'], seed: 42, retryAfterMs: 0 });
        const statuses = [];
        for (let i = 0; i < 30; i++) statuses.push((await call(emu, '/fine_tuning/jobs')).status);
        return statuses;
      };
      const first = await run();
      expect(await run()).toEqual(first);
      expect(new Set(first)).toEqual(new Set([200, 429, 500]));
      emu.setFaults(null);
      expect((await call(emu, '/fine_tuning/jobs')).status).toBe(200);
    });

    it('delays answers with latencyMs and still answers correctly', async () => {
      emu.setFaults({ latencyMs: 20 });
      const { id } = emu.addJob();
      const res = await call(emu, `/fine_tuning/jobs/${id}`);
      expect([res.status, res.body.id]).toEqual([200, id]);
    });

    it('reset drops jobs, faults and the request log', async () => {
      const { id } = emu.addJob();
      emu.failNext(3, '500');
      await call(emu, '/fine_tuning/jobs');
      emu.reset();
      expect(emu.requests).toEqual([]);
      expect(emu.getJob(id)).toBeUndefined();
      expect((await call(emu, '/fine_tuning/jobs')).body.data).toEqual([]);
    });
  });
});

describe('demo jobs', () => {
  it('seeds a realistic mix that moves along the clock', async () => {
    const demo = await startFineTuningEmulator({ seedDemoJobs: true });
    try {
      const list = await call(demo, '/fine_tuning/jobs');
      const bySuffix = new Map<string, { id: string; status: string }>(
        list.body.data.map((j: { user_provided_suffix: string }) => [j.user_provided_suffix, j]),
      );
      expect(new Set(list.body.data.map((j: { status: string }) => j.status))).toEqual(
        new Set([
          'running',
          'validating_files',
          'queued',
          'paused',
          'succeeded',
          'cancelled',
          'failed',
        ]),
      );
      for (const job of list.body.data)
        expect(azure('OpenAI.FineTuningJob', { ...job, status: 'queued' })).toEqual([]);
      demo.clock.advance(120_000);
      expect(demo.getJob(bySuffix.get('support-bot')!.id)!.status).toBe('succeeded');
      expect(demo.getJob(bySuffix.get('sql-helper')!.id)!.error?.message).toMatch(/training file/);
      const longRun = bySuffix.get('contract-review')!.id;
      const pause = await call(demo, `/fine_tuning/jobs/${longRun}/pause`, { method: 'POST' });
      expect(pause.body.status).toBe('pausing');
    } finally {
      await demo.close();
    }
  });

  it('follows wall time when realTime is set', async () => {
    const live = await startFineTuningEmulator({ realTime: true, startTime: 0 });
    try {
      await expect.poll(() => live.clock.now(), { timeout: 5_000 }).toBeGreaterThan(0);
    } finally {
      await live.close();
    }
  });
});

describe('properties', () => {
  it('paging through the store yields every job once, newest first', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        (times, limit) => {
          const store = new JobStore();
          const jobs = times.map((t) => store.add({ created_at: t }, 0).job);
          const expected = [...jobs]
            .sort((a, b) => b.created_at! - a.created_at! || (a.id < b.id ? 1 : -1))
            .map((j) => j.id);
          const seen: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = store.list(after, limit);
            seen.push(...page.data.map((j) => j.id));
            if (!page.has_more) break;
            after = page.data.at(-1)!.id;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('accepts exactly the limits 1..100', () => {
    const ctx = {
      store: new JobStore(),
      now: () => 0,
      apiKey: 'k',
      acceptBearer: () => false,
      pauseMode: 'two-step' as const,
      resumeMode: 'two-step' as const,
    };
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer({ min: -5, max: 200 }).map(String)), (limit) => {
        const res = handleApiRequest(ctx, {
          method: 'GET',
          path: '/fine_tuning/jobs',
          query: new URLSearchParams({ limit }),
          headers: { 'api-key': 'k' },
        });
        const valid = /^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 100;
        expect(res.status).toBe(valid ? 200 : 400);
      }),
    );
  });
});
