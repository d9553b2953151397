/**
 * The training curve of one fine-tuning job, as ftops keeps it: what the services publish
 * (the `metrics` events, checkpoint metrics, the result file once the job ends) read into one
 * shape. Every metric is optional: the services send what they have, validation only every
 * so many steps. Shared by the readers (src/training), the store, the job card's progress
 * and the chart renderer.
 */

/** One step's metrics. */
export interface MetricPoint {
  step: number;
  trainLoss?: number;
  trainAccuracy?: number;
  validLoss?: number;
  validAccuracy?: number;
  /** Over the whole validation set (Azure's `full_valid_loss`). */
  fullValidLoss?: number;
  fullValidAccuracy?: number;
  /**
   * When the service published it (Unix s, from the metrics event's `created_at`); absent for
   * points from the result file. ftops's own step-rate estimate reads it.
   */
  at?: number;
}

/** A checkpoint the service saved, at a step, with its metrics when given. */
export interface CheckpointMark {
  step: number;
  id?: string;
  metrics?: Omit<MetricPoint, 'step'>;
}

/** A span the job spent paused (pause requested at `fromStep`, resumed at `toStep`). */
export interface PauseSpan {
  fromStep: number;
  /** Absent while still paused. */
  toStep?: number;
}

/** A job's curve: points in step order, at most a bounded number of them. */
export interface TrainingSeries {
  jobId: string;
  points: MetricPoint[];
  /** From the metrics events' `total_steps`, when the service says. */
  totalSteps?: number;
  checkpoints: CheckpointMark[];
  pauses: PauseSpan[];
}
