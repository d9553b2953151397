import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFineTuningClient } from '../../src/api/client.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import {
  createTrainingSeriesStore,
  type TrainingSeriesStore,
} from '../../src/store/training-series.ts';
import {
  createMetricsReader,
  type MetricsReader,
  metricsApiOf,
} from '../../src/training/reader.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/** The reader end to end: the emulator over HTTP, the real client, the series in real Redis. */

let emu: FineTuningEmulator;
let t: TestRedis;
let store: TrainingSeriesStore;
let reader: MetricsReader;
let client: ReturnType<typeof createFineTuningClient>;

beforeAll(async () => {
  emu = await startFineTuningEmulator({ startTime: Date.UTC(2025, 0, 1) });
  client = createFineTuningClient({
    baseUrl: emu.azureBaseUrl,
    auth: { type: 'api-key', key: 'test-key' },
    retryPolicy: noDelayRetryPolicy,
    maxRetries: 1,
  });
});

beforeEach(() => {
  t = openTestRedis();
  store = createTrainingSeriesStore(t.redis, t.keys);
  reader = createMetricsReader({ api: metricsApiOf(client), store });
});

afterEach(async () => {
  emu.reset();
  await t.cleanup();
});

afterAll(async () => {
  await client.close();
  await emu.close();
});

const eventRequests = (id: string) =>
  emu.requests.filter((r) => r.path === `/fine_tuning/jobs/${id}/events`);

describe('the metrics reader', () => {
  it('reads a running job, then only what is new: one request a read', async () => {
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 400 });
    emu.clock.advance(250_000);
    const first = await reader.read(id);
    expect(first).toMatchObject({ newPoints: 250, complete: true, requests: 3 });
    expect(first.series).toMatchObject({ jobId: id, totalSteps: 400 });
    expect(first.series.points.at(-1)!.step).toBe(250);

    emu.clock.advance(30_000);
    const before = eventRequests(id).length;
    const second = await reader.read(id);
    expect(second).toMatchObject({ newPoints: 30, requests: 1, complete: true });
    expect(eventRequests(id)).toHaveLength(before + 1);
    expect(second.series.points.at(-1)!.step).toBe(280);

    const idle = await reader.read(id);
    expect(idle).toMatchObject({ newPoints: 0, requests: 1 });
    expect((await store.read(id))!.version).toBe(2);
  });

  it('keeps the series bounded over a long run, every validation point kept', async () => {
    const { id } = emu.addJob({
      status: 'running',
      step: 0,
      steps: 3_000,
      validateEvery: 100,
      durations: { stepMs: 10 },
    });
    for (let i = 0; i < 6; i++) {
      emu.clock.advance(5_000);
      await reader.read(id);
    }
    const s = (await store.get(id))!;
    expect(s.points.length).toBeLessThanOrEqual(500);
    expect(s.points.at(-1)!.step).toBe(3_000);
    expect(s.points.filter((p) => p.validLoss !== undefined)).toHaveLength(30);
  });

  it('notes pauses, reads checkpoints when asked, and the result file once the job is done', async () => {
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 60, validateEvery: 10 });
    emu.clock.advance(20_000);
    await client.pauseJob(id);
    emu.clock.advance(60_000);
    await client.resumeJob(id);
    emu.clock.advance(10_000);
    await reader.read(id, { checkpoints: true });
    emu.clock.advance(60_000);
    const job = await client.getJob(id);
    expect(job.status).toBe('succeeded');
    const done = await reader.read(id, { job, checkpoints: true });
    expect(done.resultFileProblem).toBeUndefined();
    expect(done.series.pauses).toEqual([{ fromStep: 20, toStep: 20 }]);
    expect(done.series.checkpoints.map((c) => c.step)).toEqual([20, 40, 60]);
    expect(done.series.points).toHaveLength(60);
    // Points from events keep their time; the result file added nothing they lacked.
    expect(done.series.points.every((p) => p.at !== undefined)).toBe(true);
    expect((await store.read(id))!.resultFile).toBe(job.result_files![0]);

    const files = () => emu.requests.filter((r) => r.path.startsWith('/files/')).length;
    expect(files()).toBe(1);
    await reader.read(id, { job });
    expect(files()).toBe(1);
  });

  it('reads a finished job’s history from its result file alone, NaN included', async () => {
    const job = emu.addJob({ status: 'succeeded', steps: 900, curve: 'diverge' });
    const read = await reader.read(job.id, { job, events: { maxPages: 1 } });
    expect(read.series.points.length).toBeLessThanOrEqual(500);
    expect(read.series.points[0]!.step).toBe(1);
    expect(read.series.points.at(-1)!.step).toBe(900);
    expect(Number.isNaN(read.series.points.at(-1)!.trainLoss)).toBe(true);
    // Every validation point survives the cut (900 / 20 = every 45 steps).
    expect(read.series.points.filter((p) => p.validLoss !== undefined)).toHaveLength(20);
  });

  it('says why a result file could not be read, and does not fail the read', async () => {
    const job = emu.addJob({ status: 'succeeded', steps: 10 });
    const gone = { ...job, result_files: ['file-missing'] };
    const read = await reader.read(job.id, { job: gone });
    expect(read.resultFileProblem).toBe(
      'The file file-missing was not found (404): File file-missing was not found.',
    );
    expect(read.series.points).toHaveLength(10);
    // Gone for good: not asked again.
    await reader.read(job.id, { job: gone });
    expect(emu.requests.filter((r) => r.path.startsWith('/files/'))).toHaveLength(1);
  });
});
