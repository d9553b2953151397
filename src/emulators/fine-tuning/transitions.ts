import type { FineTuningJob } from '../../api/schemas.ts';
import { isTerminal } from '../../api/schemas.ts';
import { enter, failJob, succeed, transitionMessage, updateEstimate } from './lifecycle.ts';
import type { PauseMode, ResumeMode, SimJob } from './sim-types.ts';

/**
 * What a caller may ask of a job (pause, resume, cancel, a status set by hand), refused in the
 * words Azure uses.
 */

/** Result of a requested transition: the refusal reason is fit for an API error message. */
export type TransitionResult = { ok: true } | { ok: false; message: string };

/** Pause: only a running job that has trained at least one step. */
export function pauseJob(sim: SimJob, now: number, mode: PauseMode): TransitionResult {
  const { id, status } = sim.job;
  if (status !== 'running') return refuse(id, status, 'paused');
  if (sim.step < 1) {
    return { ok: false, message: `Job ${id} has not trained any steps yet and cannot be paused.` };
  }
  if (mode === 'direct') enter(sim, 'paused', now, 'Fine-tuning job paused');
  else enter(sim, 'pausing', now, 'Fine-tuning job pausing');
  updateEstimate(sim, now);
  return { ok: true };
}

/** Resume: only a paused job. */
export function resumeJob(sim: SimJob, now: number, mode: ResumeMode): TransitionResult {
  const { id, status } = sim.job;
  if (status !== 'paused') return refuse(id, status, 'resumed');
  if (mode === 'queued') enter(sim, 'queued', now, 'Fine-tuning job resumed and queued');
  else enter(sim, 'resuming', now, 'Fine-tuning job resuming');
  updateEstimate(sim, now);
  return { ok: true };
}

/** Cancel: any job that has not finished. */
export function cancelJob(sim: SimJob, now: number): TransitionResult {
  const { id, status } = sim.job;
  if (isTerminal(status)) return refuse(id, status, 'cancelled');
  enter(sim, 'cancelled', now, 'Fine-tuning job cancelled');
  updateEstimate(sim, now);
  return { ok: true };
}

/** A status change by hand (tests): fields of `extra` win over what the change implies. */
export function setStatusByHand(
  sim: SimJob,
  status: string,
  extra: Partial<FineTuningJob>,
  now: number,
): void {
  const { id: _ignored, ...fields } = extra;
  if (status === 'failed') failJob(sim, now);
  else if (status === 'succeeded') succeed(sim, now);
  else enter(sim, status, now, transitionMessage(status));
  Object.assign(sim.job, fields);
  if (!isTerminal(status) && extra.finished_at === undefined) sim.job.finished_at = null;
  updateEstimate(sim, now);
}

function refuse(id: string, status: string, verb: string): TransitionResult {
  return { ok: false, message: `Job ${id} is in status ${status} and cannot be ${verb}.` };
}
