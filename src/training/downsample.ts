import { isValidationPoint } from './fields.ts';
import type { MetricPoint } from './types.ts';

/**
 * Bounds a series for Redis, cards and charts. What a reader of the curve needs survives: the
 * first and last points, the lowest train and validation loss, every non-finite loss (the
 * evidence of a divergence) and every validation point; the training-only points in between
 * are thinned to one per equal-width step bucket. Pure; the input is not changed.
 */

/** Points a stored series holds at most. */
export const MAX_SERIES_POINTS = 500;

/** The smallest bound honoured: room for the points always kept (first, last, three minima). */
export const MIN_SERIES_POINTS = 8;

/** `points` (in step order) cut to at most `max` points, still in step order. */
export function downsample(points: readonly MetricPoint[], max = MAX_SERIES_POINTS): MetricPoint[] {
  const limit = Math.max(MIN_SERIES_POINTS, Math.trunc(max));
  if (points.length <= limit) return [...points];
  const keep = new Set<number>([0, points.length - 1]);
  const lowest = (pick: (p: MetricPoint) => number | undefined) => {
    let best = -1;
    points.forEach((p, i) => {
      const v = pick(p);
      if (v !== undefined && Number.isFinite(v) && (best === -1 || v < pick(points[best]!)!)) {
        best = i;
      }
    });
    if (best !== -1) keep.add(best);
  };
  lowest((p) => p.trainLoss);
  lowest((p) => p.validLoss);
  lowest((p) => p.fullValidLoss);
  const nonFinite: number[] = [];
  const validation: number[] = [];
  const rest: number[] = [];
  points.forEach((p, i) => {
    if (keep.has(i)) return;
    if (!finiteLosses(p)) nonFinite.push(i);
    else if (isValidationPoint(p)) validation.push(i);
    else rest.push(i);
  });
  // Evidence first, then validation, then training-only points, each thinned if it must be.
  for (const group of [nonFinite, validation, rest]) {
    const room = limit - keep.size;
    if (room <= 0) break;
    for (const i of thin(points, group, room)) keep.add(i);
  }
  return [...keep].sort((a, b) => a - b).map((i) => points[i]!);
}

function finiteLosses(p: MetricPoint): boolean {
  return [p.trainLoss, p.validLoss, p.fullValidLoss].every(
    (v) => v === undefined || Number.isFinite(v),
  );
}

/**
 * At most `room` of the indices `group` (ascending): all when they fit, else one per bucket of
 * equal step width, the one nearest the bucket's middle, so dense and sparse stretches of the
 * run are drawn alike.
 */
function thin(points: readonly MetricPoint[], group: readonly number[], room: number): number[] {
  if (group.length <= room) return [...group];
  const first = points[group[0]!]!.step;
  const last = points[group.at(-1)!]!.step;
  const width = (last - first) / room || 1;
  const chosen = new Map<number, { i: number; off: number }>();
  for (const i of group) {
    const step = points[i]!.step;
    const bucket = Math.min(room - 1, Math.floor((step - first) / width));
    const off = Math.abs(step - (first + (bucket + 0.5) * width));
    const had = chosen.get(bucket);
    if (!had || off < had.off) chosen.set(bucket, { i, off });
  }
  return [...chosen.values()].map((c) => c.i);
}
