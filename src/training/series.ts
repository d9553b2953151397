import { downsample, MAX_SERIES_POINTS } from './downsample.ts';
import { METRIC_FIELDS } from './fields.ts';
import { applyPauseChanges, type PauseChange } from './metrics.ts';
import type { CheckpointMark, MetricPoint, TrainingSeries } from './types.ts';

/** Merging what a read found into a stored series, bounded. Pure. */

/** Checkpoints kept per job (the newest). */
export const MAX_CHECKPOINTS = 100;

/** What one read adds to a series. */
export interface SeriesUpdate {
  points?: readonly MetricPoint[];
  totalSteps?: number | undefined;
  checkpoints?: readonly CheckpointMark[];
  pauseChanges?: readonly PauseChange[];
}

/** An empty series for `jobId`. */
export function emptySeries(jobId: string): TrainingSeries {
  return { jobId, points: [], checkpoints: [], pauses: [] };
}

/**
 * Points of `a` and `b` by step, in step order; where both have a step, `b`'s fields win one
 * by one (a result-file row adds validation to an event's point, never erases its time).
 */
export function mergePoints(a: readonly MetricPoint[], b: readonly MetricPoint[]): MetricPoint[] {
  if (b.length === 0) return [...a];
  const byStep = new Map<number, MetricPoint>();
  for (const p of a) byStep.set(p.step, p);
  for (const p of b) {
    const had = byStep.get(p.step);
    if (!had) {
      byStep.set(p.step, p);
      continue;
    }
    const merged: MetricPoint = { ...had };
    for (const f of METRIC_FIELDS) if (p[f] !== undefined) merged[f] = p[f];
    if (p.at !== undefined) merged.at = p.at;
    byStep.set(p.step, merged);
  }
  return [...byStep.values()].sort((x, y) => x.step - y.step);
}

/** `series` with `update` merged in and bounded to `maxPoints`. */
export function mergeSeries(
  series: TrainingSeries,
  update: SeriesUpdate,
  maxPoints = MAX_SERIES_POINTS,
): TrainingSeries {
  const points = downsample(mergePoints(series.points, update.points ?? []), maxPoints);
  const byStep = new Map<number, CheckpointMark>();
  for (const c of [...series.checkpoints, ...(update.checkpoints ?? [])]) byStep.set(c.step, c);
  const checkpoints = [...byStep.values()].sort((x, y) => x.step - y.step).slice(-MAX_CHECKPOINTS);
  const totalSteps = update.totalSteps ?? series.totalSteps;
  return {
    jobId: series.jobId,
    points,
    ...(totalSteps === undefined ? {} : { totalSteps }),
    checkpoints,
    pauses: applyPauseChanges(series.pauses, update.pauseChanges ?? []),
  };
}
