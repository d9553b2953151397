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

/**
 * The price per million training tokens for `model` from a resource's setting: one number
 * for every model, or by base model, the longest name `model` starts with winning and `*`
 * pricing any other; undefined when nothing applies.
 */
export function priceFor(
  price: number | Readonly<Record<string, number>> | undefined,
  model: string | null | undefined,
): number | undefined {
  if (price === undefined) return undefined;
  if (typeof price === 'number') return usablePrice(price);
  let best: string | undefined;
  for (const name of Object.keys(price)) {
    if (name === '*' || !model || !model.startsWith(name)) continue;
    if (best === undefined || name.length > best.length) best = name;
  }
  const chosen =
    best !== undefined ? price[best] : Object.hasOwn(price, '*') ? price['*'] : undefined;
  return chosen === undefined ? undefined : usablePrice(chosen);
}

const usablePrice = (p: number): number | undefined =>
  Number.isFinite(p) && p > 0 ? p : undefined;

/** What a job's training cost so far, and at the end at the same tokens per step, in dollars. */
export interface CostEstimate {
  soFar: number;
  /** Absent when the total steps or the current step are unknown. */
  atEnd?: number;
}

/** The cost of `tokens` at `pricePerMillion`, projected to `totalSteps` from `step`. */
export function estimateCost(input: {
  tokens: number | null | undefined;
  pricePerMillion: number | undefined;
  step?: number | undefined;
  totalSteps?: number | undefined;
}): CostEstimate | undefined {
  const { tokens, pricePerMillion: price, step, totalSteps } = input;
  if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < 0) return undefined;
  if (price === undefined || !Number.isFinite(price) || price <= 0) return undefined;
  const soFar = (tokens / 1e6) * price;
  if (!step || !totalSteps || step <= 0 || totalSteps < step) return { soFar };
  return { soFar, atEnd: (soFar / step) * totalSteps };
}
