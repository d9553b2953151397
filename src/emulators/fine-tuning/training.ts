import { addCheckpoint, addEvent } from './history.ts';
import { randomAlnum, seededRandom } from './random.ts';
import { type ResultFileFormat, type SimJob, sec } from './sim-types.ts';

/** What training leaves behind: model names, metrics, checkpoints, events and the result file. */

/** `ft:<model>:org:<suffix>:<tag>`, the name a succeeded job's model gets. */
export function modelName(sim: SimJob): string {
  return `ft:${sim.job.model ?? 'model'}:org:${sim.job.user_provided_suffix ?? ''}:${sim.modelTag}`;
}

/** One step's metrics, named as the services name them in events and checkpoints. */
export interface StepMetrics {
  step: number;
  train_loss: number;
  train_mean_token_accuracy: number;
  valid_loss?: number;
  valid_mean_token_accuracy?: number;
  full_valid_loss?: number;
  full_valid_mean_token_accuracy?: number;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10_000) / 10_000 : x);

/** Noise in [-0.5, 0.5) for (job, step, channel): the same run gives the same curve. */
function noise(sim: SimJob, step: number, channel: number): number {
  const seed = typeof sim.job.seed === 'number' ? sim.job.seed : 1;
  return (
    seededRandom((seed ^ Math.imul(step + 1, 0x9e3779b1) ^ (channel * 0x85ebca6b)) >>> 0)() - 0.5
  );
}

/** The loss a healthy run would have at `step`: decays from about 2 to 0.15. */
const decay = (sim: SimJob, step: number) => 0.15 + 1.85 * Math.exp((-4 * step) / sim.steps);

/** Where a diverging run leaves the rails, and how many steps until its loss is NaN. */
const divergeFrom = (sim: SimJob) => Math.max(1, Math.floor(sim.steps / 2));
const DIVERGE_TO_NAN_STEPS = 40;

/** Train and validation loss at `step` on the job's curve, before noise. */
function losses(sim: SimJob, step: number): { train: number; valid: number } {
  const base = decay(sim, step);
  switch (sim.curve) {
    case 'overfit': {
      const turn = sim.steps / 3;
      // Training keeps falling below the healthy floor; validation turns up after a third.
      const train = base - 0.12 * (step / sim.steps);
      const valid =
        decay(sim, Math.min(step, turn)) + 0.05 + (1.5 * Math.max(0, step - turn)) / sim.steps;
      return { train, valid };
    }
    case 'diverge': {
      const from = divergeFrom(sim);
      if (step <= from) return { train: base, valid: base + 0.05 };
      if (step - from >= DIVERGE_TO_NAN_STEPS) return { train: Number.NaN, valid: Number.NaN };
      const blowUp = Math.exp(0.5 * (step - from));
      return { train: decay(sim, from) * blowUp, valid: (decay(sim, from) + 0.05) * blowUp };
    }
    default:
      return { train: base, valid: base + 0.05 };
  }
}

const accuracyOf = (loss: number) =>
  Number.isNaN(loss) ? loss : Math.min(0.99, Math.max(0, 1 - loss / 2.2));

/** Whether `step` is a validation step of the job. */
export function isValidationStep(sim: SimJob, step: number): boolean {
  return sim.validateEvery > 0 && (step % sim.validateEvery === 0 || step === sim.steps);
}

/** Whether `step` ends an epoch (a checkpoint, and Azure's full validation). */
export function isCheckpointStep(sim: SimJob, step: number): boolean {
  return step % sim.checkpointEvery === 0 || step === sim.steps;
}

/**
 * Loss and accuracy at `step`: the job's curve with noise, reproducible from its seed and the
 * step alone, so events, checkpoints and the result file agree. Validation metrics at
 * validation steps, full-validation ones at checkpoints (with a validation file behind them).
 */
export function metricsAt(sim: SimJob, step: number): StepMetrics {
  const { train, valid } = losses(sim, step);
  const t = train * (1 + 0.1 * noise(sim, step, 1));
  const m: StepMetrics = {
    step,
    train_loss: round(t),
    train_mean_token_accuracy: round(accuracyOf(t) + 0.02 * noise(sim, step, 2)),
  };
  if (isValidationStep(sim, step)) {
    const v = valid * (1 + 0.08 * noise(sim, step, 3));
    m.valid_loss = round(v);
    m.valid_mean_token_accuracy = round(accuracyOf(v));
    if (isCheckpointStep(sim, step)) {
      const f = valid * (1 + 0.02 * noise(sim, step, 4));
      m.full_valid_loss = round(f);
      m.full_valid_mean_token_accuracy = round(accuracyOf(f));
    }
  }
  return m;
}

/** A metric as JSON can carry it: NaN and Infinity as strings, since JSON has no word for them. */
const wire = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

/** The `data` of step `step`'s metrics event. */
export function metricsEventData(sim: SimJob, step: number): Record<string, number | string> {
  const m = metricsAt(sim, step);
  const out: Record<string, number | string> = { step, total_steps: sim.steps };
  for (const [k, v] of Object.entries(m)) if (k !== 'step') out[k] = wire(v);
  return out;
}

/** "Step 12/100: training loss=1.2345, validation loss=1.3000", as the services word it. */
export function metricsMessage(sim: SimJob, step: number): string {
  const m = metricsAt(sim, step);
  const valid = m.valid_loss === undefined ? '' : `, validation loss=${m.valid_loss.toFixed(4)}`;
  return `Step ${step}/${sim.steps}: training loss=${m.train_loss.toFixed(4)}${valid}`;
}

/** Appends step `step`'s metrics event at virtual time `t`. */
export function metricsEvent(sim: SimJob, t: number, step: number): void {
  event(sim, t, metricsMessage(sim, step), { type: 'metrics', data: metricsEventData(sim, step) });
}

/**
 * Records a checkpoint at `step`, taken at virtual time `t`. Its metrics always hold the
 * validation figures (a checkpoint is evaluated), the same numbers a validation step shows.
 */
export function checkpoint(sim: SimJob, t: number, step: number): void {
  const m = metricsAt(sim, step);
  const { valid } = losses(sim, step);
  const v = round(valid * (1 + 0.08 * noise(sim, step, 3)));
  const f = round(valid * (1 + 0.02 * noise(sim, step, 4)));
  addCheckpoint(sim.history, {
    object: 'fine_tuning.job.checkpoint',
    id: `ftckpt_${randomAlnum(24)}`,
    created_at: sec(t),
    fine_tuned_model_checkpoint: `${modelName(sim)}:ckpt-step-${step}`,
    fine_tuning_job_id: sim.job.id,
    step_number: step,
    metrics: {
      step,
      train_loss: wire(m.train_loss),
      train_mean_token_accuracy: wire(m.train_mean_token_accuracy),
      valid_loss: wire(v),
      valid_mean_token_accuracy: wire(round(accuracyOf(v))),
      full_valid_loss: wire(f),
      full_valid_mean_token_accuracy: wire(round(accuracyOf(f))),
    },
  });
}

const COLUMNS = {
  openai: [
    ['step', 'step'],
    ['train_loss', 'train_loss'],
    ['train_accuracy', 'train_mean_token_accuracy'],
    ['valid_loss', 'valid_loss'],
    ['valid_mean_token_accuracy', 'valid_mean_token_accuracy'],
  ],
  azure: [
    ['step', 'step'],
    ['train_loss', 'train_loss'],
    ['train_mean_token_accuracy', 'train_mean_token_accuracy'],
    ['valid_loss', 'valid_loss'],
    ['validation_mean_token_accuracy', 'valid_mean_token_accuracy'],
    ['full_valid_loss', 'full_valid_loss'],
    ['full_valid_mean_token_accuracy', 'full_valid_mean_token_accuracy'],
  ],
} as const;

/** A CSV cell: blank when absent, `nan` and `inf` as Python writes them. */
function cell(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/**
 * The job's result file: one row per trained step, in OpenAI's or Azure's columns, validation
 * cells blank between validation steps; base64-encoded when the format says so.
 */
export function resultFileContent(sim: SimJob, format: ResultFileFormat): string {
  const cols = COLUMNS[format.columns ?? 'azure'];
  const lines = [cols.map(([name]) => name).join(',')];
  for (let step = 1; step <= sim.step; step++) {
    const m = metricsAt(sim, step);
    lines.push(cols.map(([, key]) => cell(m[key])).join(','));
  }
  const csv = `${lines.join('\n')}\n`;
  return format.base64 ? Buffer.from(csv).toString('base64') : csv;
}

/** Records an event at virtual time `t`. */
export function event(
  sim: SimJob,
  t: number,
  message: string,
  extra?: { level?: string; type?: string; data?: unknown },
): void {
  addEvent(sim.history, sec(t), message, extra);
}
