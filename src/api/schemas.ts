import { z } from 'zod';

/**
 * zod schemas for what the fine-tuning API sends back. They are the single source of the
 * types the rest of ftops uses. Real responses disagree with the published schema (see
 * shared/fixtures): parsing is tolerant on purpose, unknown fields and unknown statuses are
 * kept, and only what ftops cannot work without (`id`) is required.
 */

/** Statuses the services are known to return; any other string is kept as it comes. */
export const KNOWN_STATUSES = [
  'validating_files',
  'queued',
  'running',
  'pausing',
  'paused',
  'resuming',
  'succeeded',
  'failed',
  'cancelled',
  'pending',
] as const;
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

/** A job status: one of the known ones, or a value the service invented later. */
export type JobStatus = KnownStatus | (string & {});

/** Statuses after which a job never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(status: string): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * Not an API status: what ftops records for a watched job the API answers 404 for (deleted,
 * or no longer visible with these credentials). Final like the finished states, so the job
 * is announced gone once and never read again.
 */
export const GONE = 'gone';

/** Whether nothing more will happen to a job in this status: finished, or gone. */
export function isFinal(status: string): boolean {
  return status === GONE || isTerminal(status);
}

/** Unix seconds that may come as an integer, a numeric string, 0 (meaning "none") or null. */
const unixTime = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v): number | null => {
    if (v === null || v === undefined) return null;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) && n > 0 ? Math.trunc(n) : null;
  });

const jobError = z
  .looseObject({
    code: z.string().nullish(),
    message: z.string().nullish(),
    param: z.string().nullish(),
  })
  .nullish()
  .transform((e) => (e && (e.code || e.message) ? e : null));

export const FineTuningJobSchema = z.looseObject({
  id: z.string().min(1),
  object: z.string().optional(),
  model: z.string().nullish(),
  status: z.string().catch('unknown') as z.ZodType<JobStatus>,
  created_at: unixTime,
  finished_at: unixTime,
  estimated_finish: unixTime,
  fine_tuned_model: z.string().nullish(),
  organization_id: z.string().nullish(),
  result_files: z.array(z.string()).nullish(),
  trained_tokens: z.number().nullish(),
  training_file: z.string().nullish(),
  validation_file: z.string().nullish(),
  user_provided_suffix: z.string().nullish(),
  suffix: z.string().nullish(),
  seed: z.number().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  hyperparameters: z.record(z.string(), z.unknown()).nullish(),
  method: z.record(z.string(), z.unknown()).nullish(),
  integrations: z.array(z.unknown()).nullish(),
  error: jobError,
});
export type FineTuningJob = z.infer<typeof FineTuningJobSchema>;

export const FineTuningJobEventSchema = z.looseObject({
  id: z.string(),
  object: z.string().optional(),
  created_at: unixTime,
  level: z.string().catch('info'),
  message: z.string().catch(''),
  type: z.string().nullish(),
  data: z.unknown().optional(),
});
export type FineTuningJobEvent = z.infer<typeof FineTuningJobEventSchema>;

export const FineTuningJobCheckpointSchema = z.looseObject({
  id: z.string(),
  object: z.string().optional(),
  created_at: unixTime,
  fine_tuned_model_checkpoint: z.string().nullish(),
  fine_tuning_job_id: z.string().nullish(),
  step_number: z.number().nullish(),
  metrics: z.record(z.string(), z.unknown()).nullish(),
});
export type FineTuningJobCheckpoint = z.infer<typeof FineTuningJobCheckpointSchema>;

/** One page of an OpenAI-style list: `{ object: 'list', data, has_more }`. */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    object: z.string().optional(),
    data: z.array(item),
    has_more: z.boolean().optional().default(false),
  });
}

/** Error bodies in both shapes: Azure `{error:{code,message,param,type,inner_error}}` and OpenAI's. */
export const ErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.union([z.string(), z.number()]).nullish(),
    message: z.string().nullish(),
    param: z.string().nullish(),
    type: z.string().nullish(),
    inner_error: z.unknown().optional(),
  }),
});

/**
 * One metric value as the services send it: a number, or (where JSON cannot say NaN or
 * Infinity) a string such as `"NaN"`, `"inf"` or `"0.42"`. Anything else is absent, never an
 * error: a metric the service garbled must not drop the rest of the event.
 */
export const MetricValueSchema = z
  .unknown()
  .transform((v): number | undefined => {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string') return undefined;
    return parseMetricText(v);
  })
  .optional();

/** A decimal number, `nan`, `inf`, `-inf` or `infinity` (any case); undefined otherwise. */
export function parseMetricText(text: string): number | undefined {
  const t = text.trim();
  if (DECIMAL.test(t)) return Number(t);
  const word = t.toLowerCase();
  if (word === 'nan' || word === '+nan' || word === '-nan') return Number.NaN;
  if (word === 'inf' || word === '+inf' || word === 'infinity' || word === '+infinity') {
    return Number.POSITIVE_INFINITY;
  }
  if (word === '-inf' || word === '-infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The `data` of a `metrics` event, and a checkpoint's `metrics`. Every field is optional; the
 * names of both services are listed (OpenAI's `train_accuracy`, Azure's
 * `validation_mean_token_accuracy`), and unknown fields are kept.
 */
export const MetricsDataSchema = z.looseObject({
  step: MetricValueSchema,
  total_steps: MetricValueSchema,
  train_loss: MetricValueSchema,
  train_accuracy: MetricValueSchema,
  train_mean_token_accuracy: MetricValueSchema,
  valid_loss: MetricValueSchema,
  validation_loss: MetricValueSchema,
  valid_mean_token_accuracy: MetricValueSchema,
  validation_mean_token_accuracy: MetricValueSchema,
  full_valid_loss: MetricValueSchema,
  full_validation_loss: MetricValueSchema,
  full_valid_mean_token_accuracy: MetricValueSchema,
  full_validation_mean_token_accuracy: MetricValueSchema,
});
export type MetricsData = z.infer<typeof MetricsDataSchema>;

/** The `metrics` data of an event or checkpoint, or null when it is not an object at all. */
export function parseMetricsData(data: unknown): MetricsData | null {
  const parsed = MetricsDataSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}
