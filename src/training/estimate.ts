import type { MetricPoint } from './types.ts';

/**
 * When a job will finish. The service's `estimated_finish` when it gives one (0 or null means
 * it does not know), else ftops's own from the recent step rate, labelled as ftops's so a card
 * never passes a guess off as the service's word.
 */

export interface FinishEstimate {
  /** Unix seconds. */
  at: number;
  /** `service`: the job's `estimated_finish`; `ftops`: ftops's guess from the step rate. */
  source: 'service' | 'ftops';
}

/** Timed points the step rate is measured over (the most recent ones). */
export const RATE_WINDOW = 20;

/** Steps per second over the last `RATE_WINDOW` timed points; undefined when unmeasurable. */
export function stepRate(points: readonly MetricPoint[]): number | undefined {
  const timed = points.filter((p) => p.at !== undefined && Number.isFinite(p.at));
  const recent = timed.slice(-RATE_WINDOW);
  const a = recent[0];
  const b = recent.at(-1);
  if (!a || !b || a === b) return undefined;
  const steps = b.step - a.step;
  const seconds = b.at! - a.at!;
  return steps > 0 && seconds > 0 ? steps / seconds : undefined;
}

/**
 * The finish estimate for a job: the service's when it says (a positive `estimatedFinish`),
 * else ftops's from the step rate and `totalSteps`; undefined when neither is known.
 */
export function estimateFinish(input: {
  estimatedFinish?: number | null | undefined;
  points: readonly MetricPoint[];
  totalSteps?: number | undefined;
}): FinishEstimate | undefined {
  const service = input.estimatedFinish;
  if (typeof service === 'number' && Number.isFinite(service) && service > 0) {
    return { at: Math.trunc(service), source: 'service' };
  }
  const last = input.points.at(-1);
  const rate = stepRate(input.points);
  if (!last || last.at === undefined || rate === undefined || !input.totalSteps) return undefined;
  const left = Math.max(0, input.totalSteps - last.step);
  return { at: Math.round(last.at + left / rate), source: 'ftops' };
}
