import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FineTuningJobCheckpointSchema,
  FineTuningJobEventSchema,
  parseMetricsData,
} from '../../src/api/schemas.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { checkpointMarks, metricsOfEvents } from '../../src/training/metrics.ts';
import { parseResultFile } from '../../src/training/result-file.ts';
import type { MetricPoint } from '../../src/training/types.ts';

/**
 * The emulator's training series, read with the official `openai` client (v6) over HTTP:
 * metrics events as jobs train on the virtual clock, checkpoint metrics, result files.
 */

let emu: FineTuningEmulator;

beforeAll(async () => {
  emu = await startFineTuningEmulator({ startTime: Date.UTC(2025, 0, 1) });
});

beforeEach(() => emu.reset());

afterAll(async () => {
  await emu.close();
});

const openai = (base = emu.openaiBaseUrl) =>
  new OpenAI({ apiKey: 'test-token', baseURL: base, maxRetries: 0 });

async function allEvents(id: string) {
  const events = [];
  for await (const e of openai().fineTuning.jobs.listEvents(id, { limit: 100 })) events.push(e);
  // Into ftops's own types the way outside data enters ftops: through its zod schemas.
  return events.reverse().map((e) => FineTuningJobEventSchema.parse(e));
}

async function resultPoints(id: string, base?: string): Promise<MetricPoint[]> {
  const job = await openai(base).fineTuning.jobs.retrieve(id);
  const file = job.result_files[0]!;
  const text = await (await openai(base).files.content(file)).text();
  const parsed = parseResultFile(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.points;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('metrics events', () => {
  it('publishes a metrics event per step as the job trains, validation every N steps', async () => {
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 100, validateEvery: 10 });
    expect((await allEvents(id)).filter((e) => e.type === 'metrics')).toHaveLength(0);
    emu.clock.advance(30_000);
    const [latest] = (await openai().fineTuning.jobs.listEvents(id, { limit: 1 })).data;
    expect(latest).toMatchObject({
      object: 'fine_tuning.job.event',
      type: 'metrics',
      message: expect.stringMatching(/^Step 30\/100: training loss=\d\.\d{4}, validation loss=\d/),
      data: {
        step: 30,
        total_steps: 100,
        train_loss: expect.any(Number),
        train_mean_token_accuracy: expect.any(Number),
        valid_loss: expect.any(Number),
        valid_mean_token_accuracy: expect.any(Number),
      },
    });
    emu.clock.advance(70_000);
    const { points, totalSteps } = metricsOfEvents(await allEvents(id));
    expect(totalSteps).toBe(100);
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(points.filter((p) => p.validLoss !== undefined).map((p) => p.step)).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
    // Decays with noise: the end is far below the start, and not a smooth line.
    const train = points.map((p) => p.trainLoss!);
    expect(mean(train.slice(-10))).toBeLessThan(mean(train.slice(0, 10)) / 3);
    expect(train.some((v, i) => i > 0 && v > train[i - 1]!)).toBe(true);
    // One timestamp a step: the virtual clock's second.
    expect(points[1]!.at! - points[0]!.at!).toBe(1);
  });

  it('backfills the metrics a job added mid-run already has', async () => {
    const { id } = emu.addJob({ status: 'running', step: 40, steps: 100 });
    const { points } = metricsOfEvents(await allEvents(id));
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('an overfitting job: validation loss rises while training loss falls', async () => {
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 300, curve: 'overfit' });
    emu.clock.advance(300_000);
    const { points } = metricsOfEvents(await allEvents(id));
    const valid = points.filter((p) => p.validLoss !== undefined);
    const lastThird = valid.slice(-5);
    const best = Math.min(...valid.map((p) => p.validLoss!));
    expect(lastThird.every((p) => p.validLoss! > best * 1.3)).toBe(true);
    const v = valid.map((p) => p.validLoss!);
    expect(mean(v.slice(-3))).toBeGreaterThan(mean(v.slice(-6, -3)));
    expect(mean(points.slice(-20).map((p) => p.trainLoss!))).toBeLessThan(
      mean(points.slice(100, 120).map((p) => p.trainLoss!)),
    );
  });

  it('a diverging job: the loss explodes, then is NaN (sent as "NaN": JSON has no NaN)', async () => {
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 200, curve: 'diverge' });
    emu.clock.advance(200_000);
    const events = await allEvents(id);
    const raw = events.filter((e) => e.type === 'metrics').at(-1)!;
    expect((raw.data as Record<string, unknown>).train_loss).toBe('NaN');
    const { points } = metricsOfEvents(events);
    const atHalf = points.find((p) => p.step === 100)!.trainLoss!;
    expect(points.find((p) => p.step === 130)!.trainLoss!).toBeGreaterThan(atHalf * 1_000);
    expect(Number.isNaN(points.at(-1)!.trainLoss)).toBe(true);
    expect(emu.getJob(id)!.status).toBe('succeeded');
    expect((await resultPoints(id)).at(-1)!.trainLoss).toBeNaN();
  });
});

describe('checkpoint metrics', () => {
  it('lists checkpoints with their metrics object, read by checkpoints.list', async () => {
    const { id } = emu.addJob({
      status: 'running',
      step: 0,
      steps: 30,
      hyperparameters: { n_epochs: 3 },
    });
    emu.clock.advance(30_000);
    const page = await openai().fineTuning.jobs.checkpoints.list(id);
    expect(page.data.map((c) => c.step_number)).toEqual([30, 20, 10]);
    expect(Object.keys(page.data[0]!.metrics).sort()).toEqual([
      'full_valid_loss',
      'full_valid_mean_token_accuracy',
      'step',
      'train_loss',
      'train_mean_token_accuracy',
      'valid_loss',
      'valid_mean_token_accuracy',
    ]);
    const marks = checkpointMarks(page.data.map((c) => FineTuningJobCheckpointSchema.parse(c)));
    expect(marks.map((m) => m.step)).toEqual([10, 20, 30]);
    // The checkpoint's numbers are the step's: the event at step 30 says the same.
    const [last] = (await openai().fineTuning.jobs.listEvents(id, { limit: 10 })).data.filter(
      (e) => e.type === 'metrics',
    );
    expect(parseMetricsData(last!.data)?.train_loss).toBe(marks[2]!.metrics!.trainLoss);
    expect(marks[2]!.metrics!.validLoss).toBe(parseMetricsData(last!.data)?.valid_loss);
  });
});

describe('result files', () => {
  it('a finished job names its result file; files.content serves the CSV at /v1 and /openai/v1', async () => {
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 50, validateEvery: 5 });
    emu.clock.advance(50_000);
    const job = await openai().fineTuning.jobs.retrieve(id);
    expect(job.status).toBe('succeeded');
    expect(job.result_files).toHaveLength(1);
    const res = await openai().files.content(job.result_files[0]!);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const text = await res.text();
    expect(text.split('\n')[0]).toBe(
      'step,train_loss,train_mean_token_accuracy,valid_loss,validation_mean_token_accuracy,full_valid_loss,full_valid_mean_token_accuracy',
    );
    expect(text.split('\n')[1]).toMatch(/^1,\d\.\d+,0\.\d+,,,,$/);
    const fromFile = await resultPoints(id);
    expect(await resultPoints(id, `${emu.url}/openai/v1`)).toEqual(fromFile);
    // The file says what the events said, step for step.
    const fromEvents = metricsOfEvents(await allEvents(id)).points.map(({ at: _, ...p }) => p);
    expect(fromFile).toEqual(fromEvents);
    expect(fromFile.filter((p) => p.validLoss !== undefined)).toHaveLength(10);
    const meta = await openai().files.retrieve(job.result_files[0]!);
    expect(meta).toMatchObject({ object: 'file', purpose: 'fine-tune-results' });
  });

  it('writes OpenAI’s columns, or base64 as some Azure deployments send it', async () => {
    const other = await startFineTuningEmulator({ resultFiles: { base64: true } });
    try {
      const a = other.addJob({ status: 'succeeded', steps: 20 });
      const b = other.addJob({
        status: 'succeeded',
        steps: 20,
        resultFile: { columns: 'openai', base64: false },
      });
      const client = openai(other.openaiBaseUrl);
      const encoded = await (await client.files.content(a.result_files![0]!)).text();
      expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(encoded, 'base64').toString()).toMatch(/^step,train_loss,/);
      const parsed = parseResultFile(encoded);
      expect(parsed).toMatchObject({ ok: true, encoding: 'base64' });
      expect(parsed.ok && parsed.points).toHaveLength(20);
      const plain = await (await client.files.content(b.result_files![0]!)).text();
      expect(plain.split('\n')[0]).toBe(
        'step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy',
      );
    } finally {
      await other.close();
    }
  });

  it('answers 404 for a file it does not have', async () => {
    await expect(openai().files.content('file-nope')).rejects.toMatchObject({ status: 404 });
  });
});
