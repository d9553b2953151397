import { randomInt } from 'node:crypto';
import type { FineTuningJob } from '../../api/schemas.ts';
import { isTerminal } from '../../api/schemas.ts';
import { createHistory } from './history.ts';
import { randomAlnum, seededRandom } from './random.ts';
import {
  type AddJobInput,
  DEFAULT_DURATIONS,
  type PauseMode,
  type ResumeMode,
  type SimJob,
  sec,
} from './sim-types.ts';
import { checkpoint, event, metricsAt, modelName } from './training.ts';

/**
 * One emulated job: the wire object the API returns plus the plan that moves it along the
 * virtual clock (validating_files → queued → running → succeeded|failed, with pauses).
 * Every function here takes the current virtual time; none reads a real clock.
 */

const ACTIVE = new Set(['running', 'pausing', 'paused', 'resuming']);

/** Builds a job from `input` at virtual time `now`, with the events its past would have left. */
export function createSimJob(input: AddJobInput, now: number): SimJob {
  const {
    steps: stepsIn,
    step: stepIn,
    durations,
    checkpointEvery,
    tokensPerStep,
    fail,
    ...wire
  } = input;
  const status = wire.status ?? 'running';
  const steps = Math.max(1, Math.trunc(stepsIn ?? 100));
  const hyper = wire.hyperparameters ?? {
    batch_size: 1,
    learning_rate_multiplier: 1.8,
    n_epochs: 3,
  };
  const epochs = typeof hyper.n_epochs === 'number' && hyper.n_epochs > 0 ? hyper.n_epochs : 3;
  const defaultStep = ACTIVE.has(status) ? 1 : status === 'succeeded' ? steps : 0;
  const step = Math.min(
    Math.max(0, Math.trunc(stepIn ?? defaultStep)),
    isTerminal(status) ? steps : steps - 1,
  );
  const plan = { ...DEFAULT_DURATIONS, ...durations };
  const createdAt = wire.created_at ?? sec(now);
  const job: FineTuningJob = {
    object: 'fine_tuning.job',
    id: `ftjob-${randomAlnum(24)}`,
    model: 'gpt-4o-mini-2024-07-18',
    created_at: createdAt,
    error: null,
    fine_tuned_model: null,
    finished_at: null,
    estimated_finish: null,
    hyperparameters: hyper,
    organization_id: 'org-emulator',
    result_files: [],
    status,
    trained_tokens: null,
    training_file: `file-${randomAlnum(24)}`,
    validation_file: null,
    seed: randomInt(1, 2 ** 31 - 1),
    metadata: null,
    user_provided_suffix: null,
    integrations: [],
    method: { type: 'supervised', supervised: { hyperparameters: hyper } },
    ...wire,
  };
  const sim: SimJob = {
    job,
    steps,
    step,
    durations: plan,
    checkpointEvery: Math.max(1, Math.trunc(checkpointEvery ?? Math.ceil(steps / epochs))),
    tokensPerStep: tokensPerStep ?? 1_000,
    fail: fail
      ? {
          code: fail.code,
          message: fail.message,
          param: fail.param ?? null,
          atStep: fail.atStep ?? (status === 'validating_files' ? 'validation' : step + 1),
        }
      : null,
    nextAt: null,
    history: createHistory(),
    modelTag: randomAlnum(8),
    rng: seededRandom(typeof job.seed === 'number' ? job.seed : 1),
  };
  if (wire.trained_tokens === undefined && step > 0) job.trained_tokens = step * sim.tokensPerStep;
  backfill(sim, now);
  sim.nextAt = scheduleFor(sim, status, now);
  updateEstimate(sim, now);
  return sim;
}

/** Plays every automatic transition and step due up to virtual time `now`. */
export function advanceTo(sim: SimJob, now: number): void {
  while (sim.nextAt !== null && sim.nextAt <= now) {
    const t = sim.nextAt;
    switch (sim.job.status) {
      case 'validating_files':
        if (sim.fail?.atStep === 'validation') failJob(sim, t);
        else enter(sim, 'queued', t, 'Files validated, moving job to queued state');
        break;
      case 'queued':
        enter(
          sim,
          'running',
          t,
          sim.step > 0 ? 'Fine-tuning job resumed' : 'Fine-tuning job started',
        );
        break;
      case 'running':
        trainStep(sim, t);
        break;
      case 'pausing':
        enter(sim, 'paused', t, 'Fine-tuning job paused');
        break;
      case 'resuming':
        enter(sim, 'running', t, 'Fine-tuning job resumed');
        break;
      default:
        sim.nextAt = null;
    }
  }
  updateEstimate(sim, now);
}

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

function transitionMessage(status: string): string {
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
function scheduleFor(sim: SimJob, status: string, t: number): number | null {
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

function enter(sim: SimJob, status: string, t: number, message: string): void {
  sim.job.status = status;
  sim.nextAt = scheduleFor(sim, status, t);
  if (isTerminal(status)) sim.job.finished_at = sec(t);
  event(sim, t, message);
}

function trainStep(sim: SimJob, t: number): void {
  sim.step += 1;
  const { step, steps } = sim;
  sim.job.trained_tokens = step * sim.tokensPerStep;
  const m = metricsAt(sim, step);
  event(sim, t, `Step ${step}/${steps}: training loss=${m.train_loss.toFixed(4)}`, {
    type: 'metrics',
    data: { step, total_steps: steps, ...m },
  });
  if (step % sim.checkpointEvery === 0 || step === steps) checkpoint(sim, t, step);
  const fail = sim.fail;
  if (fail && fail.atStep !== 'validation' && step >= fail.atStep) failJob(sim, t);
  else if (step >= steps) succeed(sim, t);
  else sim.nextAt = t + sim.durations.stepMs;
}

function succeed(sim: SimJob, t: number): void {
  const job = sim.job;
  sim.step = sim.steps;
  job.trained_tokens = sim.steps * sim.tokensPerStep;
  job.fine_tuned_model ??= modelName(sim);
  if (!job.result_files?.length) job.result_files = [`file-${randomAlnum(24)}`];
  event(sim, t, `New fine-tuned model created: ${job.fine_tuned_model}`);
  enter(sim, 'succeeded', t, 'The job has successfully completed');
}

function failJob(sim: SimJob, t: number): void {
  const f = sim.fail ?? { code: 'internal_error', message: 'Fine-tuning job failed.', param: null };
  sim.job.error = { code: f.code, message: f.message, param: f.param };
  sim.job.status = 'failed';
  sim.job.finished_at = sec(t);
  sim.nextAt = null;
  event(sim, t, `Fine-tuning job failed: ${f.message}`, { level: 'error' });
}

/** Seconds left to finish if nothing goes wrong; null once paused or finished. */
function updateEstimate(sim: SimJob, now: number): void {
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

/** The events and checkpoints a job added mid-life would already have. */
function backfill(sim: SimJob, now: number): void {
  const job = sim.job;
  const status = job.status;
  const start = (job.created_at ?? sec(now)) * 1000;
  const totalMs =
    sim.durations.validatingMs + sim.durations.queuedMs + sim.steps * sim.durations.stepMs;
  const end = Math.max(start, Math.min(now, start + totalMs));
  event(sim, start, 'Created fine-tuning job');
  event(sim, start, `Validating training file: ${job.training_file}`);
  if (status === 'validating_files' || (status === 'failed' && sim.step === 0)) {
    if (status === 'failed') failAt(sim, end);
    return;
  }
  event(sim, start, 'Files validated, moving job to queued state');
  if (status === 'queued' && sim.step === 0) return;
  event(sim, start, 'Fine-tuning job started');
  for (let s = sim.checkpointEvery; s <= sim.step; s += sim.checkpointEvery) {
    checkpoint(sim, Math.min(now, start + s * sim.durations.stepMs), s);
  }
  if (status === 'succeeded') {
    if (job.finished_at == null) job.finished_at = sec(end);
    if (!job.fine_tuned_model) job.fine_tuned_model = modelName(sim);
    if (!job.result_files?.length) job.result_files = [`file-${randomAlnum(24)}`];
    if (job.trained_tokens == null) job.trained_tokens = sim.steps * sim.tokensPerStep;
    event(sim, end, `New fine-tuned model created: ${job.fine_tuned_model}`);
    event(sim, end, 'The job has successfully completed');
  } else if (status === 'failed') {
    failAt(sim, end);
  } else if (status !== 'running') {
    event(sim, isTerminal(status) ? end : now, transitionMessage(status));
    if (isTerminal(status) && job.finished_at == null) job.finished_at = sec(end);
  }
}

function failAt(sim: SimJob, t: number): void {
  const finishedAt = sim.job.finished_at;
  const given = sim.job.error;
  if (given && !sim.fail) {
    sim.fail = {
      code: given.code ?? 'internal_error',
      message: given.message ?? 'Fine-tuning job failed.',
      param: given.param ?? null,
      atStep: 'validation',
    };
  }
  failJob(sim, t);
  if (finishedAt != null) sim.job.finished_at = finishedAt;
}
