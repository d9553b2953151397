import type { AddJobInput } from './sim-types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * A handful of realistic jobs for `npm run emulator` and the sandbox, placed around virtual
 * time `now` (ms): one finishing within two minutes, one about to fail validation, a long
 * run to pause and resume, a paused one, a queued one, and a few finished ones.
 */
export function demoJobs(now: number): AddJobInput[] {
  const at = (msAgo: number) => Math.floor((now - msAgo) / 1000);
  const hyper = (n_epochs: number, batch_size: number, learning_rate_multiplier: number) => ({
    n_epochs,
    batch_size,
    learning_rate_multiplier,
  });
  return [
    {
      model: 'gpt-4o-mini-2024-07-18',
      user_provided_suffix: 'support-bot',
      status: 'running',
      created_at: at(3 * MIN),
      steps: 90,
      step: 15,
      hyperparameters: hyper(3, 4, 1.8),
      metadata: { team: 'support', owner: 'maria' },
    },
    {
      model: 'gpt-4.1-mini-2025-04-14',
      user_provided_suffix: 'sql-helper',
      status: 'validating_files',
      created_at: at(5_000),
      durations: { validatingMs: 45_000 },
      fail: {
        code: 'invalid_training_file',
        message:
          'The training file has 14 examples longer than the maximum of 65,536 tokens. Shorten or remove them and try again.',
        param: 'training_file',
      },
      metadata: { team: 'analytics' },
    },
    {
      model: 'gpt-4.1-2025-04-14',
      user_provided_suffix: 'contract-review',
      status: 'running',
      created_at: at(45 * MIN),
      steps: 5_000,
      step: 1_200,
      durations: { stepMs: 2_000 },
      tokensPerStep: 2_400,
      hyperparameters: hyper(4, 8, 1),
      metadata: { team: 'legal', owner: 'sam' },
    },
    {
      model: 'gpt-4.1-mini-2025-04-14',
      user_provided_suffix: 'doc-search',
      status: 'paused',
      created_at: at(2 * HOUR),
      steps: 600,
      step: 210,
      // Paused for a reason: its validation loss has started to climb.
      curve: 'overfit',
      hyperparameters: hyper(3, 2, 2),
      metadata: { team: 'platform' },
    },
    {
      model: 'gpt-4o-2024-08-06',
      user_provided_suffix: 'ticket-triage',
      status: 'queued',
      created_at: at(2 * MIN),
      steps: 300,
      durations: { queuedMs: 10 * MIN },
      metadata: { team: 'support' },
    },
    {
      model: 'gpt-4o-mini-2024-07-18',
      user_provided_suffix: 'faq-writer',
      status: 'succeeded',
      created_at: at(2 * DAY),
      steps: 240,
      hyperparameters: hyper(3, 1, 1.8),
      metadata: { team: 'support' },
    },
    {
      model: 'gpt-4.1-nano-2025-04-14',
      user_provided_suffix: 'intent-router',
      status: 'cancelled',
      created_at: at(DAY),
      steps: 400,
      step: 40,
    },
    {
      model: 'gpt-35-turbo-0125',
      user_provided_suffix: 'legacy-summarizer',
      status: 'failed',
      created_at: at(3 * DAY),
      error: {
        code: 'invalid_n_examples',
        message: 'Training file has 7 example(s), but must have at least 10 examples.',
        param: 'training_file',
      },
    },
  ];
}
