import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type FineTuningJob,
  type FineTuningJobEvent,
  FineTuningJobEventSchema,
  FineTuningJobSchema,
} from '../../src/api/schemas.ts';

/** 2024-07-24 06:00 UTC, in milliseconds: the "now" of these tests. */
export const NOW = Date.UTC(2024, 6, 24, 6, 0, 0);

/** A job as the API's documentation prints it (see fixtures/jobs). */
export function fixtureJob(name: string): FineTuningJob {
  const url = new URL(`./fixtures/jobs/${name}.json`, import.meta.url);
  return FineTuningJobSchema.parse(JSON.parse(readFileSync(fileURLToPath(url), 'utf8')));
}

/** A job parsed through the real schema, running unless told otherwise. */
export function makeJob(over: Record<string, unknown> = {}): FineTuningJob {
  return FineTuningJobSchema.parse({
    id: 'ftjob-abc123',
    object: 'fine_tuning.job',
    model: 'gpt-4o-mini-2024-07-18',
    status: 'running',
    created_at: NOW / 1000 - 3 * 3600,
    user_provided_suffix: 'my-suffix',
    ...over,
  });
}

/** An event parsed through the real schema. */
export function makeEvent(over: Record<string, unknown> = {}): FineTuningJobEvent {
  return FineTuningJobEventSchema.parse({
    id: 'ftevent-1',
    object: 'fine_tuning.job.event',
    created_at: NOW / 1000 - 60,
    level: 'info',
    message: 'Step 10/100: training loss=0.42',
    type: 'metrics',
    data: { step: 10, total_steps: 100, train_loss: 0.4213, valid_loss: 0.5 },
    ...over,
  });
}

/** A string that tries every way into a Slack message. */
export const EVIL =
  '<!channel> <@U123> <https://evil.test|click> <!subteam^S999> &lt;!here&gt; `` *x* \u0000\u202E';
