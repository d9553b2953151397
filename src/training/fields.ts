import type { MetricPoint } from './types.ts';

/**
 * The names each metric goes by. OpenAI's result file says `train_accuracy`, Azure's says
 * `train_mean_token_accuracy` and `validation_mean_token_accuracy`, the events and checkpoints
 * of both say `valid_mean_token_accuracy`; every spelling reads into the same field.
 */

/** The metric fields of a point, everything but `step` and `at`. */
export type MetricField = Exclude<keyof MetricPoint, 'step' | 'at'>;

export const METRIC_ALIASES: Readonly<Record<MetricField, readonly string[]>> = {
  trainLoss: ['train_loss', 'training_loss'],
  trainAccuracy: ['train_mean_token_accuracy', 'train_accuracy', 'training_accuracy'],
  validLoss: ['valid_loss', 'validation_loss'],
  validAccuracy: [
    'valid_mean_token_accuracy',
    'validation_mean_token_accuracy',
    'valid_accuracy',
    'validation_accuracy',
  ],
  fullValidLoss: ['full_valid_loss', 'full_validation_loss'],
  fullValidAccuracy: ['full_valid_mean_token_accuracy', 'full_validation_mean_token_accuracy'],
};

export const METRIC_FIELDS = Object.keys(METRIC_ALIASES) as MetricField[];

export const STEP_ALIASES: readonly string[] = ['step', 'steps', 'step_number'];

/** Whether a point carries a validation metric (those are always kept when downsampling). */
export function isValidationPoint(p: MetricPoint): boolean {
  return (
    p.validLoss !== undefined ||
    p.validAccuracy !== undefined ||
    p.fullValidLoss !== undefined ||
    p.fullValidAccuracy !== undefined
  );
}
