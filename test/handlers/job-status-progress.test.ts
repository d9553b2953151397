import { describe, expect, it } from 'vitest';
import type { FineTuningJob } from '../../src/api/schemas.ts';
import { jobStatus } from '../../src/handlers/commands/job-reads.ts';
import type { HandlerDeps, TrainingProgress } from '../../src/handlers/deps.ts';
import type { TrainingSeries } from '../../src/training/types.ts';
import { makeJob, NOW } from '../views/fixtures.ts';
import { expectWithinLimits, visibleText } from '../views/walk.ts';

const SERIES: TrainingSeries = {
  jobId: 'ftjob-abc123',
  points: [
    { step: 10, trainLoss: 1.2, at: NOW / 1000 - 20 },
    { step: 20, trainLoss: 0.9, validLoss: 1, at: NOW / 1000 - 10 },
  ],
  totalSteps: 40,
  checkpoints: [],
  pauses: [],
};

/** Only what `jobStatus` reads; the training progress is the part under test. */
function depsWith(job: FineTuningJob, training?: TrainingProgress) {
  const warnings: unknown[] = [];
  const deps = {
    api: {
      getJob: async () => job,
      listEvents: async () => ({ data: [], has_more: false }),
    },
    subscriptions: { list: async () => [] },
    logger: { warn: (o: unknown) => warnings.push(o) },
    clock: () => NOW,
    ...(training ? { training } : {}),
  } as unknown as HandlerDeps;
  return { deps, warnings };
}

const caller = { channelId: 'C0TRAINING' };

describe('jobStatus and the training progress', () => {
  it('reads the progress of a running job, for that job only, and shows it with its price', async () => {
    const asked: string[] = [];
    const { deps } = depsWith(makeJob({ trained_tokens: 2_000_000 }), {
      progressOf: async (key) => {
        asked.push(key);
        return SERIES;
      },
      priceOf: (_key, model) => (model?.startsWith('gpt-4o-mini') ? 3 : undefined),
    });
    const view = await jobStatus(deps, caller, 'ftjob-abc123');
    const text = visibleText(view);
    expect(asked).toEqual(['ftjob-abc123']);
    expect(text).toContain('Step 20 of 40');
    expect(text).toContain('estimated cost $6.00 so far, $12.00 at the end');
    expectWithinLimits(view);
  });

  it('never reads metrics for a job that is not training', async () => {
    for (const status of ['queued', 'validating_files', 'succeeded', 'failed', 'cancelled']) {
      let reads = 0;
      const { deps } = depsWith(makeJob({ status }), {
        progressOf: async () => {
          reads++;
          return SERIES;
        },
      });
      const text = visibleText(await jobStatus(deps, caller, 'ftjob-abc123'));
      expect(reads).toBe(0);
      expect(text).not.toContain('*Progress*');
    }
  });

  it('shows the card without progress when the metrics cannot be read, and logs why', async () => {
    const { deps, warnings } = depsWith(makeJob({ estimated_finish: NOW / 1000 + 60 }), {
      progressOf: async () => {
        throw new Error('events endpoint down');
      },
    });
    const text = visibleText(await jobStatus(deps, caller, 'ftjob-abc123'));
    expect(text).toContain('ftjob-abc123');
    expect(text).not.toContain('*Progress*');
    expect(text).toContain('*Estimated finish*');
    expect(warnings).toHaveLength(1);
  });

  it('shows the card as before when the deployment has no training reader', async () => {
    const { deps } = depsWith(makeJob());
    expect(visibleText(await jobStatus(deps, caller, 'ftjob-abc123'))).not.toContain('*Progress*');
  });
});
