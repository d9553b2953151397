import {
  type FineTuningJobCheckpoint,
  type FineTuningJobEvent,
  type MetricsData,
  parseMetricsData,
} from '../api/schemas.ts';
import { METRIC_ALIASES, METRIC_FIELDS } from './fields.ts';
import type { CheckpointMark, MetricPoint, PauseSpan } from './types.ts';

/**
 * Metrics events and checkpoint metrics read into MetricPoints. Pure: what the API sent in,
 * points out; a field that is missing or not a number is left out, an event without a usable
 * step is skipped, nothing throws.
 */

/** The largest step believed: beyond this a "step" is garbage, not a very long run. */
export const MAX_STEP = 1e9;

/** A step: a whole number from 0 to MAX_STEP; anything else is no step. */
export function validStep(v: number | undefined): number | undefined {
  return v !== undefined && Number.isInteger(v) && v >= 0 && v <= MAX_STEP ? v : undefined;
}

/** The point a metrics object describes, or null without a usable step. */
export function pointOf(data: MetricsData, fallbackStep?: number): MetricPoint | null {
  const step = validStep(data.step) ?? validStep(fallbackStep);
  if (step === undefined) return null;
  const point: MetricPoint = { step };
  const record = data as Record<string, unknown>;
  for (const field of METRIC_FIELDS) {
    for (const name of METRIC_ALIASES[field]) {
      const v = record[name];
      if (typeof v === 'number') {
        point[field] = v;
        break;
      }
    }
  }
  return point;
}

/** A pause or resume the events tell of, at the last step known then. */
export interface PauseChange {
  kind: 'pause' | 'resume';
  step: number;
}

/** What a run of events says about the curve. */
export interface EventMetrics {
  points: MetricPoint[];
  totalSteps?: number;
  /** Pauses and resumes in event order (applied to the stored spans by `applyPauseChanges`). */
  pauseChanges: PauseChange[];
}

/**
 * The metrics of `events` (oldest first): points in event order, the last `total_steps`.
 * `lastStep` is the step known before these events, for a pause that comes first.
 */
export function metricsOfEvents(
  events: readonly FineTuningJobEvent[],
  lastStep?: number,
): EventMetrics {
  const points: MetricPoint[] = [];
  const pauseChanges: PauseChange[] = [];
  let totalSteps: number | undefined;
  let step = lastStep;
  for (const event of events) {
    if (event.type === 'metrics') {
      const data = parseMetricsData(event.data);
      const point = data ? pointOf(data) : null;
      if (!point) continue;
      if (event.created_at !== null) point.at = event.created_at;
      points.push(point);
      step = point.step;
      const total = validStep(data?.total_steps);
      if (total !== undefined && total > 0) totalSteps = total;
      continue;
    }
    const kind = pauseChange(event.message);
    if (kind && step !== undefined) pauseChanges.push({ kind, step });
  }
  return { points, ...(totalSteps === undefined ? {} : { totalSteps }), pauseChanges };
}

/** Pause spans kept per job; the oldest go first. */
export const MAX_PAUSES = 50;

/** `pauses` with `changes` applied: a pause opens a span (if none is open), a resume closes it. */
export function applyPauseChanges(
  pauses: readonly PauseSpan[],
  changes: readonly PauseChange[],
): PauseSpan[] {
  const out = pauses.map((p) => ({ ...p }));
  for (const c of changes) {
    const open = out.at(-1);
    const isOpen = open !== undefined && open.toStep === undefined;
    if (c.kind === 'pause' && !isOpen) out.push({ fromStep: c.step });
    else if (c.kind === 'resume' && isOpen) open.toStep = Math.max(open.fromStep, c.step);
  }
  return out.slice(-MAX_PAUSES);
}

/** "Fine-tuning job paused", "…pausing": a pause; "…resumed", "…resuming": its end. */
function pauseChange(message: string): 'pause' | 'resume' | null {
  if (/\bpaus(?:ed|ing)\b/i.test(message)) return 'pause';
  if (/\bresum(?:ed|ing)\b/i.test(message)) return 'resume';
  return null;
}

/** Checkpoints as marks, in step order; one without a step is skipped. */
export function checkpointMarks(checkpoints: readonly FineTuningJobCheckpoint[]): CheckpointMark[] {
  const marks: CheckpointMark[] = [];
  for (const c of checkpoints) {
    const data = parseMetricsData(c.metrics ?? {});
    const step = validStep(c.step_number ?? undefined) ?? validStep(data?.step);
    if (step === undefined) continue;
    const point = data ? pointOf(data, step) : null;
    const { step: _s, ...metrics } = point ?? { step };
    marks.push({
      step,
      id: c.id,
      ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
    });
  }
  return marks.sort((a, b) => a.step - b.step);
}
