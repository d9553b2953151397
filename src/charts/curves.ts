import type { MetricPoint, TrainingSeries } from '../training/types.ts';

/**
 * A series read into the curves the chart draws: one per metric that has any value, finite
 * values apart from NaN and ±Infinity (a diverging job), steps in order.
 */

/** A metric the chart can draw, as named in {@link MetricPoint}. */
export type MetricKey = keyof Pick<
  MetricPoint,
  | 'trainLoss'
  | 'trainAccuracy'
  | 'validLoss'
  | 'validAccuracy'
  | 'fullValidLoss'
  | 'fullValidAccuracy'
>;

/** Which split a curve belongs to: its colour and legend entry. */
export type Split = 'train' | 'valid' | 'full';

/** One metric's values over the steps. */
export interface Curve {
  key: MetricKey;
  split: Split;
  /** The steps of the finite values, in order (parallel arrays: no object per point). */
  steps: number[];
  /** Finite values, `values[i]` at `steps[i]`. */
  values: number[];
  /** Steps where the service sent NaN or ±Infinity. */
  nonFinite: number[];
}

/** The loss metrics, then the accuracy ones, each as train, validation, full validation. */
export const LOSS_KEYS = [
  ['trainLoss', 'train'],
  ['validLoss', 'valid'],
  ['fullValidLoss', 'full'],
] as const satisfies ReadonlyArray<readonly [MetricKey, Split]>;

export const ACCURACY_KEYS = [
  ['trainAccuracy', 'train'],
  ['validAccuracy', 'valid'],
  ['fullValidAccuracy', 'full'],
] as const satisfies ReadonlyArray<readonly [MetricKey, Split]>;

/** The points with a usable step, in step order (sorted only when they are not already). */
export function orderedPoints(series: TrainingSeries): MetricPoint[] {
  const points = (Array.isArray(series.points) ? series.points : []).filter(
    (p) => p !== null && typeof p === 'object' && Number.isFinite(p.step),
  );
  for (let i = 1; i < points.length; i += 1) {
    if ((points[i] as MetricPoint).step < (points[i - 1] as MetricPoint).step) {
      return [...points].sort((a, b) => a.step - b.step);
    }
  }
  return points;
}

/** The curves of `keys` that have at least one value (finite or not). */
export function readCurves(
  points: readonly MetricPoint[],
  keys: ReadonlyArray<readonly [MetricKey, Split]>,
): Curve[] {
  const out: Curve[] = [];
  for (const [key, split] of keys) {
    const curve: Curve = { key, split, steps: [], values: [], nonFinite: [] };
    for (const p of points) {
      const v = p[key];
      // Anything but a number (null from a store, a string) is a missing value, not a point.
      if (typeof v !== 'number') continue;
      if (Number.isFinite(v)) {
        curve.steps.push(p.step);
        curve.values.push(v);
      } else curve.nonFinite.push(p.step);
    }
    if (curve.values.length > 0 || curve.nonFinite.length > 0) out.push(curve);
  }
  return out;
}

/**
 * The value at quantile `q` (0..1) of unsorted `values`, from an even sample of at most
 * 4,096 of them (exact enough for an axis, and no sort of 200,000 numbers); undefined when empty.
 */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const n = Math.min(values.length, 4096);
  const sample = new Float64Array(n);
  for (let i = 0; i < n; i += 1) sample[i] = values[Math.floor((i * values.length) / n)] as number;
  const sorted = sample.sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

/**
 * The highest loss the axis shows. A diverging job's loss can reach 1e6 and flatten the rest
 * of the curve into the floor, so the axis stops at 1.5 × the larger of the start of training
 * (the highest of its first 5 % of values) and the median; values above are drawn at the top
 * edge and marked as clipped.
 */
export function lossCeiling(curves: readonly Curve[]): number | undefined {
  const all: number[] = [];
  let start = Number.NEGATIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const c of curves) {
    const head = Math.max(3, Math.ceil(c.values.length * 0.05));
    for (let i = 0; i < c.values.length; i += 1) {
      const v = c.values[i] as number;
      all.push(v);
      if (v > max) max = v;
      if (i < head && v > start) start = v;
    }
  }
  const median = quantile(all, 0.5);
  if (median === undefined) return undefined;
  const ceiling = 1.5 * Math.max(start, median);
  return max > ceiling && ceiling > 0 ? ceiling : max;
}

/**
 * An exponential moving average, debiased like TensorBoard's smoothing, over about
 * `span` points: the trend of a noisy training loss.
 */
export function smooth(values: readonly number[], span: number): number[] {
  const alpha = 2 / (Math.max(1, span) + 1);
  const out: number[] = [];
  let ema = 0;
  let weight = 0;
  for (const v of values) {
    ema = ema * (1 - alpha) + v * alpha;
    weight = weight * (1 - alpha) + alpha;
    out.push(ema / weight);
  }
  return out;
}

/**
 * Drops points that fall on the same pixel column, keeping each column's first, lowest,
 * highest and last point in their order, so a 200,000-step curve becomes a few thousand
 * points and keeps its spikes.
 */
export function decimate(xs: readonly number[], ys: readonly number[]): [number[], number[]] {
  const outX: number[] = [];
  const outY: number[] = [];
  let i = 0;
  while (i < xs.length) {
    const column = Math.floor(xs[i] as number);
    let j = i;
    let lo = i;
    let hi = i;
    while (j + 1 < xs.length && Math.floor(xs[j + 1] as number) === column) {
      j += 1;
      if ((ys[j] as number) > (ys[lo] as number)) lo = j; // SVG y grows downwards
      if ((ys[j] as number) < (ys[hi] as number)) hi = j;
    }
    for (const k of [...new Set([i, lo, hi, j])].sort((a, b) => a - b)) {
      outX.push(xs[k] as number);
      outY.push(ys[k] as number);
    }
    i = j + 1;
  }
  return [outX, outY];
}
