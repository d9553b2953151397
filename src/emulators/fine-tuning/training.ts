import { addCheckpoint, addEvent } from './history.ts';
import { randomAlnum } from './random.ts';
import { type SimJob, sec } from './sim-types.ts';

/** What training leaves behind: model names, metrics, checkpoints and events. */

/** `ft:<model>:org:<suffix>:<tag>`, the name a succeeded job's model gets. */
export function modelName(sim: SimJob): string {
  return `ft:${sim.job.model ?? 'model'}:org:${sim.job.user_provided_suffix ?? ''}:${sim.modelTag}`;
}

/** Loss and accuracy at `step`: a noisy decaying curve, reproducible from the job's seed. */
export function metricsAt(sim: SimJob, step: number) {
  const base = 0.15 + 1.85 * Math.exp((-4 * step) / sim.steps);
  const noise = (sim.rng() - 0.5) * 0.1 * base;
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    train_loss: round(base + noise),
    train_mean_token_accuracy: round(Math.min(0.99, 1 - base / 2.2 + noise)),
  };
}

/** Records a checkpoint at `step`, taken at virtual time `t`. */
export function checkpoint(sim: SimJob, t: number, step: number): void {
  const m = metricsAt(sim, step);
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  addCheckpoint(sim.history, {
    object: 'fine_tuning.job.checkpoint',
    id: `ftckpt_${randomAlnum(24)}`,
    created_at: sec(t),
    fine_tuned_model_checkpoint: `${modelName(sim)}:ckpt-step-${step}`,
    fine_tuning_job_id: sim.job.id,
    step_number: step,
    metrics: {
      step,
      ...m,
      valid_loss: round(m.train_loss + 0.05),
      valid_mean_token_accuracy: round(Math.max(0, m.train_mean_token_accuracy - 0.02)),
      full_valid_loss: round(m.train_loss + 0.04),
      full_valid_mean_token_accuracy: round(Math.max(0, m.train_mean_token_accuracy - 0.015)),
    },
  });
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
