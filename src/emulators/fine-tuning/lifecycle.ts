import { isTerminal } from '../../api/schemas.ts';
import { randomAlnum } from './random.ts';
import { type SimJob, sec } from './sim-types.ts';
import { checkpoint, event, isCheckpointStep, metricsEvent, modelName } from './training.ts';

/**
 * The moves a job makes on the virtual clock: entering a status (with its event and the time of
 * the next automatic move), a training step, success, failure, and the finish estimate.
 */

/** The event message a job logs on entering `status` by hand or from a backfilled past. */
export function transitionMessage(status: string): string {
  switch (status) {
    case 'validating_files':
      return 'Validating training file';
    case 'queued':
      return 'Fine-tuning job queued';
    case 'running':
      return 'Fine-tuning job started';
    case 'pausing':
    case 'paused':
    case 'resuming':
    case 'cancelled':
      return `Fine-tuning job ${status}`;
    default:
      return `Fine-tuning job status changed to ${status}`;
  }
}

/** Virtual time of the next automatic move out of `status`, entered at `t`. */
export function scheduleFor(sim: SimJob, status: string, t: number): number | null {
  const d = sim.durations;
  switch (status) {
    case 'validating_files':
      return t + d.validatingMs;
    case 'queued':
      return t + (sim.step > 0 ? d.resumingMs : d.queuedMs);
    case 'running':
      return t + d.stepMs;
    case 'pausing':
      return t + d.pausingMs;
    case 'resuming':
      return t + d.resumingMs;
    default:
      return null;
  }
}

export function enter(sim: SimJob, status: string, t: number, message: string): void {
  sim.job.status = status;
  sim.nextAt = scheduleFor(sim, status, t);
  if (isTerminal(status)) sim.job.finished_at = sec(t);
  event(sim, t, message);
}

export function trainStep(sim: SimJob, t: number): void {
  sim.step += 1;
  const { step, steps } = sim;
  sim.job.trained_tokens = step * sim.tokensPerStep;
  metricsEvent(sim, t, step);
  if (isCheckpointStep(sim, step)) checkpoint(sim, t, step);
  const fail = sim.fail;
  if (fail && fail.atStep !== 'validation' && step >= fail.atStep) failJob(sim, t);
  else if (step >= steps) succeed(sim, t);
  else sim.nextAt = t + sim.durations.stepMs;
}

export function succeed(sim: SimJob, t: number): void {
  const job = sim.job;
  sim.step = sim.steps;
  job.trained_tokens = sim.steps * sim.tokensPerStep;
  job.fine_tuned_model ??= modelName(sim);
  if (!job.result_files?.length) job.result_files = [`file-${randomAlnum(24)}`];
  event(sim, t, `New fine-tuned model created: ${job.fine_tuned_model}`);
  enter(sim, 'succeeded', t, 'The job has successfully completed');
}

export function failJob(sim: SimJob, t: number): void {
  const f = sim.fail ?? { code: 'internal_error', message: 'Fine-tuning job failed.', param: null };
  sim.job.error = { code: f.code, message: f.message, param: f.param };
  sim.job.status = 'failed';
  sim.job.finished_at = sec(t);
  sim.nextAt = null;
  event(sim, t, `Fine-tuning job failed: ${f.message}`, { level: 'error' });
}

/** Seconds left to finish if nothing goes wrong; null once paused or finished. */
export function updateEstimate(sim: SimJob, now: number): void {
  const { status } = sim.job;
  const d = sim.durations;
  const toNext = sim.nextAt === null ? 0 : Math.max(0, sim.nextAt - now);
  const stepsLeft = sim.steps - sim.step;
  let ms: number | null = null;
  if (status === 'validating_files') ms = toNext + d.queuedMs + stepsLeft * d.stepMs;
  else if (status === 'queued' || status === 'resuming') ms = toNext + stepsLeft * d.stepMs;
  else if (status === 'running') ms = toNext + (stepsLeft - 1) * d.stepMs;
  sim.job.estimated_finish = ms === null ? null : sec(now + ms);
}
