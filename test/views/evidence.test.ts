import { describe, expect, it } from 'vitest';
import type { TrainingSeries } from '../../src/training/types.ts';
import { evidenceLine } from '../../src/views/evidence.ts';

const series = (points: TrainingSeries['points'], totalSteps?: number): TrainingSeries => ({
  jobId: 'ftjob-evidence',
  points,
  ...(totalSteps ? { totalSteps } : {}),
  checkpoints: [],
  pauses: [],
});

describe('the training numbers shown with an approval request', () => {
  it('say where training is, the validation loss now and at its best, and its trend', () => {
    const line = evidenceLine(
      series(
        [
          { step: 10, trainLoss: 1.2, validLoss: 1.0 },
          { step: 20, trainLoss: 0.9, validLoss: 0.6 },
          { step: 30, trainLoss: 0.7, validLoss: 0.8 },
        ],
        100,
      ),
    );
    expect(line).toBe('step 30 of 100 · validation loss 0.8 now, best 0.6 at step 20 · trend █▁▅');
  });

  it('take the best among finite losses, and say when there is no validation or nothing yet', () => {
    const nan = evidenceLine(
      series([
        { step: 1, validLoss: 0.5 },
        { step: 2, validLoss: Number.NaN },
      ]),
    );
    expect(nan).toContain('validation loss NaN now, best 0.5 at step 1');
    expect(evidenceLine(series([{ step: 5, trainLoss: 2 }]))).toBe(
      'step 5 · train loss 2 (no validation yet)',
    );
    expect(evidenceLine(series([]))).toBeNull();
  });
});
