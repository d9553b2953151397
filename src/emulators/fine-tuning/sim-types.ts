import type { FineTuningJob } from '../../api/schemas.ts';
import type { JobHistory } from './history.ts';

/** How long each phase lasts on the virtual clock. */
export interface JobDurations {
  validatingMs: number;
  queuedMs: number;
  /** One training step; running lasts `steps × stepMs`. */
  stepMs: number;
  pausingMs: number;
  /** resuming → running (two-step), or queued → running after a `queued`-mode resume. */
  resumingMs: number;
}

export const DEFAULT_DURATIONS: JobDurations = {
  validatingMs: 10_000,
  queuedMs: 20_000,
  stepMs: 1_000,
  pausingMs: 5_000,
  resumingMs: 5_000,
};

/** A failure planned for a job: it ends `failed` with this error. */
export interface JobFailure {
  code: string;
  message: string;
  param?: string | null;
  /**
   * The step after which it fails. Default: at the end of validation for a job added as
   * `validating_files`, else right after its next step.
   */
  atStep?: number;
}

/** What `addJob` takes: any wire field, plus the simulation's knobs. */
export interface AddJobInput extends Partial<FineTuningJob> {
  /** Training steps in all; default 100. */
  steps?: number;
  /**
   * Steps already trained. Default 1 for a job added as running, pausing, paused or
   * resuming (so it can be paused at once), `steps` for succeeded, else 0.
   */
  step?: number;
  durations?: Partial<JobDurations>;
  /** A checkpoint every this many steps; default one per epoch (`steps / n_epochs`). */
  checkpointEvery?: number;
  /** `trained_tokens` grows by this much per step; default 1,000. */
  tokensPerStep?: number;
  fail?: JobFailure;
  /**
   * The shape of the loss: `healthy` (decays with noise, default), `overfit` (validation loss
   * turns up at a third of the run while training loss keeps falling), `diverge` (from half-way
   * the loss grows without bound and turns NaN).
   */
  curve?: TrainingCurve;
  /** Validation metrics every this many steps (and at the last); default steps / 20; 0 = none. */
  validateEvery?: number;
  /** How this job's result file is written; default the emulator's `resultFiles` option. */
  resultFile?: ResultFileFormat;
}

export type TrainingCurve = 'healthy' | 'overfit' | 'diverge';

/** A result file's columns (OpenAI's or Azure's names) and whether it is sent base64-encoded. */
export interface ResultFileFormat {
  columns?: 'openai' | 'azure';
  base64?: boolean;
}

export type PauseMode = 'two-step' | 'direct';
export type ResumeMode = 'two-step' | 'queued';

/** Mutable simulation state of one job; `job` is what the API serializes. */
export interface SimJob {
  job: FineTuningJob;
  steps: number;
  step: number;
  durations: JobDurations;
  checkpointEvery: number;
  tokensPerStep: number;
  fail: {
    code: string;
    message: string;
    param: string | null;
    atStep: number | 'validation';
  } | null;
  /** Virtual ms of the next automatic transition or step; null when the job waits. */
  nextAt: number | null;
  history: JobHistory;
  curve: TrainingCurve;
  /** 0: no validation metrics. */
  validateEvery: number;
  resultFile: ResultFileFormat | undefined;
  modelTag: string;
  rng: () => number;
}

/** Virtual ms to the Unix seconds the API shows. */
export const sec = (ms: number): number => Math.floor(ms / 1000);
