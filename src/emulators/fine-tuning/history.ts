import type { FineTuningJobCheckpoint, FineTuningJobEvent } from '../../api/schemas.ts';
import { randomAlnum } from './random.ts';

/**
 * A job's events and checkpoints, kept oldest first and served newest first with
 * OpenAI-style cursors. Metrics events are capped (one per training step adds up); message
 * events and the last checkpoints are always kept.
 */
export interface JobHistory {
  events: Array<{ seq: number; event: FineTuningJobEvent }>;
  eventSeqById: Map<string, number>;
  nextSeq: number;
  metricsCount: number;
  checkpoints: FineTuningJobCheckpoint[];
}

/** Metrics events kept per job. */
export const METRICS_CAP = 500;
/** Checkpoints kept per job. */
export const CHECKPOINT_CAP = 100;

/** An empty history. */
export function createHistory(): JobHistory {
  return { events: [], eventSeqById: new Map(), nextSeq: 0, metricsCount: 0, checkpoints: [] };
}

/** Appends an event at `createdAt` (Unix seconds); `type` defaults to 'message'. */
export function addEvent(
  h: JobHistory,
  createdAt: number,
  message: string,
  extra: { level?: string; type?: string; data?: unknown } = {},
): FineTuningJobEvent {
  const event: FineTuningJobEvent = {
    object: 'fine_tuning.job.event',
    id: `ftevent-${randomAlnum(24)}`,
    created_at: createdAt,
    level: extra.level ?? 'info',
    message,
    data: extra.data ?? null,
    type: extra.type ?? 'message',
  };
  const seq = h.nextSeq++;
  h.events.push({ seq, event });
  h.eventSeqById.set(event.id, seq);
  if (event.type === 'metrics' && ++h.metricsCount > METRICS_CAP * 1.5) compactMetrics(h);
  return event;
}

/** Appends a checkpoint, dropping the oldest beyond the cap. */
export function addCheckpoint(h: JobHistory, checkpoint: FineTuningJobCheckpoint): void {
  h.checkpoints.push(checkpoint);
  if (h.checkpoints.length > CHECKPOINT_CAP) h.checkpoints.shift();
}

/** Events newest first, `after` an event ID (an unknown one gives an empty page). */
export function listEvents(h: JobHistory, after: string | undefined, limit: number) {
  let end = h.events.length;
  if (after !== undefined) {
    const seq = h.eventSeqById.get(after);
    end = seq === undefined ? 0 : indexOfSeq(h, seq);
  }
  const data: FineTuningJobEvent[] = [];
  for (let i = end - 1; i >= 0 && data.length < limit; i--) data.push(h.events[i]!.event);
  return { object: 'list', data, has_more: end - data.length > 0 };
}

/** Checkpoints newest first, `after` a checkpoint ID (an unknown one gives an empty page). */
export function listCheckpoints(h: JobHistory, after: string | undefined, limit: number) {
  const all = h.checkpoints;
  const end =
    after === undefined
      ? all.length
      : Math.max(
          0,
          all.findIndex((c) => c.id === after),
        );
  const data = all.slice(Math.max(0, end - limit), end).reverse();
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: end - data.length > 0,
  };
}

/** Drops the oldest metrics events in one pass, so capping costs O(1) per event on average. */
function compactMetrics(h: JobHistory): void {
  let drop = h.metricsCount - METRICS_CAP;
  h.events = h.events.filter(({ event }) => {
    if (drop > 0 && event.type === 'metrics') {
      drop -= 1;
      h.eventSeqById.delete(event.id);
      return false;
    }
    return true;
  });
  h.metricsCount = METRICS_CAP;
}

function indexOfSeq(h: JobHistory, seq: number): number {
  let lo = 0;
  let hi = h.events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (h.events[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
