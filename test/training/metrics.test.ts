import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FineTuningJobEvent,
  FineTuningJobEventSchema,
  parseMetricsData,
} from '../../src/api/schemas.ts';
import { applyPauseChanges, checkpointMarks, metricsOfEvents } from '../../src/training/metrics.ts';

const event = (over: Partial<FineTuningJobEvent>): FineTuningJobEvent =>
  FineTuningJobEventSchema.parse({
    id: `ftevent-${Math.random()}`,
    created_at: 1_700_000_000,
    level: 'info',
    message: '',
    type: 'message',
    ...over,
  });

describe('metrics events', () => {
  it('reads every field under either service’s name, numbers or numeric strings', () => {
    const { points, totalSteps } = metricsOfEvents([
      event({
        type: 'metrics',
        data: {
          step: 88,
          total_steps: 100,
          train_loss: 0.478,
          train_mean_token_accuracy: 0.924,
          valid_loss: '10.112',
          validation_mean_token_accuracy: 0.145,
          full_valid_loss: 0.567,
          full_valid_mean_token_accuracy: 0.944,
          elapsed_tokens: 12,
        },
      }),
    ]);
    expect(totalSteps).toBe(100);
    expect(points).toEqual([
      {
        step: 88,
        at: 1_700_000_000,
        trainLoss: 0.478,
        trainAccuracy: 0.924,
        validLoss: 10.112,
        validAccuracy: 0.145,
        fullValidLoss: 0.567,
        fullValidAccuracy: 0.944,
      },
    ]);
  });

  it('keeps NaN sent as a string, drops garbage fields, skips events without a step', () => {
    const { points } = metricsOfEvents([
      event({ type: 'metrics', data: { step: 3, train_loss: 'NaN', valid_loss: { x: 1 } } }),
      event({ type: 'metrics', data: { train_loss: 1 } }),
      event({ type: 'metrics', data: { step: -1, train_loss: 1 } }),
      event({ type: 'metrics', data: { step: 2.5, train_loss: 1 } }),
      event({ type: 'metrics', data: 'Step 4: loss=1' }),
      event({ type: 'metrics', data: null }),
    ]);
    expect(points).toEqual([{ step: 3, at: 1_700_000_000, trainLoss: Number.NaN }]);
  });

  it('tells pauses and resumes at the last step seen', () => {
    const { pauseChanges } = metricsOfEvents(
      [
        event({ message: 'Fine-tuning job pausing' }),
        event({ message: 'Fine-tuning job paused' }),
        event({ type: 'metrics', data: { step: 12 } }),
        event({ message: 'Fine-tuning job resumed' }),
      ],
      10,
    );
    expect(pauseChanges).toEqual([
      { kind: 'pause', step: 10 },
      { kind: 'pause', step: 10 },
      { kind: 'resume', step: 12 },
    ]);
    expect(applyPauseChanges([], pauseChanges)).toEqual([{ fromStep: 10, toStep: 12 }]);
    expect(applyPauseChanges([{ fromStep: 5 }], [{ kind: 'resume', step: 7 }])).toEqual([
      { fromStep: 5, toStep: 7 },
    ]);
  });

  it('reads checkpoint metrics in step order', () => {
    const marks = checkpointMarks([
      { id: 'ftckpt_b', created_at: 1, step_number: 20, metrics: { step: 20, valid_loss: 0.5 } },
      { id: 'ftckpt_a', created_at: 1, step_number: 10, metrics: null },
      { id: 'ftckpt_c', created_at: 1, step_number: null, metrics: { train_loss: 1 } },
    ]);
    expect(marks).toEqual([
      { step: 10, id: 'ftckpt_a' },
      { step: 20, id: 'ftckpt_b', metrics: { validLoss: 0.5 } },
    ]);
  });

  it('never throws on any event data, and every point has a whole step', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom('metrics', 'message', null),
            data: fc.oneof(
              fc.anything(),
              fc.dictionary(
                fc.constantFrom('step', 'train_loss', 'valid_loss', 'total_steps', 'x'),
                fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.integer()),
              ),
            ),
            message: fc.string(),
          }),
          { maxLength: 30 },
        ),
        (raw) => {
          const events = raw.map((r) => event(r));
          const { points, totalSteps } = metricsOfEvents(events);
          for (const p of points) expect(Number.isInteger(p.step) && p.step >= 0).toBe(true);
          if (totalSteps !== undefined) expect(totalSteps).toBeGreaterThan(0);
          for (const r of raw) parseMetricsData(r.data);
        },
      ),
    );
  });
});
