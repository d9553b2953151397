import { randomInt } from 'node:crypto';
import type { FineTuningJob } from '../../api/schemas.ts';
import { isTerminal } from '../../api/schemas.ts';
import { createHistory, METRICS_CAP } from './history.ts';
import {
  enter,
  failJob,
  scheduleFor,
  trainStep,
  transitionMessage,
  updateEstimate,
} from './lifecycle.ts';
import { randomAlnum, seededRandom } from './random.ts';
import { type AddJobInput, DEFAULT_DURATIONS, type SimJob, sec } from './sim-types.ts';
import { checkpoint, event, metricsEvent, modelName } from './training.ts';

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
    curve,
    validateEvery,
    resultFile,
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
    curve: curve ?? 'healthy',
    validateEvery: Math.max(0, Math.trunc(validateEvery ?? Math.max(1, Math.round(steps / 20)))),
    resultFile,
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
  const stepAt = (s: number) => Math.min(now, start + s * sim.durations.stepMs);
  // The metrics events the history would still hold (it keeps the newest METRICS_CAP).
  for (let s = Math.max(1, sim.step - METRICS_CAP + 1); s <= sim.step; s++) {
    metricsEvent(sim, stepAt(s), s);
  }
  for (let s = sim.checkpointEvery; s <= sim.step; s += sim.checkpointEvery) {
    checkpoint(sim, stepAt(s), s);
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
