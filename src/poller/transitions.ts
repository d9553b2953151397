import { GONE, isFinal } from '../api/schemas.ts';
import type { Actor, Attribution } from '../store/job-status.ts';
import {
  code,
  EMPTY,
  escapeInline,
  type Mrkdwn,
  md,
  truncate,
  userMention,
} from '../views/mrkdwn.ts';

/**
 * What a status change means and who hears about it: pure functions, no I/O. The sweep
 * uses `attribute` to decide who a change is credited to; the notify worker uses
 * `summarize` for the line it posts; the outbox drain uses `audience` to pick channels.
 */

/** The compact copy of a job carried with each transition (what a card and a reply need). */
export interface JobSnapshot {
  id: string;
  status: string;
  model?: string | null;
  fine_tuned_model?: string | null;
  error?: { code?: string | null; message?: string | null } | null;
  created_at?: number | null;
  finished_at?: number | null;
  suffix?: string | null;
  user_provided_suffix?: string | null;
  trained_tokens?: number | null;
}

/** Copies the fields a card needs from a job as the API returned it. */
export function snapshotOf(job: JobSnapshot): JobSnapshot {
  return {
    id: job.id,
    status: job.status,
    model: job.model ?? null,
    fine_tuned_model: job.fine_tuned_model ?? null,
    error: job.error ? { code: job.error.code ?? null, message: job.error.message ?? null } : null,
    created_at: job.created_at ?? null,
    finished_at: job.finished_at ?? null,
    suffix: job.suffix ?? job.user_provided_suffix ?? null,
    trained_tokens: job.trained_tokens ?? null,
  };
}

const PAUSE = new Set(['pausing', 'paused']);
const RESUMED_FROM = new Set(['paused', 'pausing']);
const RESUME_TO = new Set(['resuming', 'running', 'queued']);
const CANCEL = new Set(['cancelling', 'cancelled']);

/**
 * Which ftops action could have caused `from → to`, and whether the change starts that
 * action's course (`entry`) or continues it (pausing → paused, resuming → running).
 */
export function actionOf(from: string, to: string): { action: string; entry: boolean } | null {
  if (PAUSE.has(to)) return { action: 'pause', entry: !PAUSE.has(from) };
  if (CANCEL.has(to)) return { action: 'cancel', entry: !CANCEL.has(from) };
  if (RESUME_TO.has(to) && RESUMED_FROM.has(from)) return { action: 'resume', entry: true };
  if ((to === 'running' || to === 'queued') && from === 'resuming')
    return { action: 'resume', entry: false };
  return null;
}

/**
 * Who a change is credited to. A change that starts a pause, resume or cancel is credited to
 * the ftops user who asked for it when their record is newer than the moment the previous
 * status was first seen; otherwise it happened "outside ftops". A change that continues one
 * (pausing → paused) keeps the credit of its start.
 */
export function attribute(input: {
  from: string;
  to: string;
  prev: { changedAt: number; by: Attribution };
  actor: Actor | null;
}): Attribution {
  const { from, to, prev, actor } = input;
  const course = actionOf(from, to);
  if (!course) return null;
  const matches = actor !== null && actor.action === course.action;
  if (!course.entry) {
    if (prev.by !== null && (prev.by === 'outside' || prev.by.action === course.action))
      return prev.by;
    // The start was never seen (the job was first seen mid-course): trust a matching record.
    return matches ? actor : 'outside';
  }
  return matches && actor.at >= prev.changedAt ? actor : 'outside';
}

/** True when a channel's `only` filter lets an announcement of `status` through. */
export function allows(only: readonly string[] | undefined, status: string): boolean {
  return !only || only.length === 0 || only.includes(status);
}

/** The channels that should hear about a change to `status`. */
export function audience<W extends { channel: string; only?: string[] }>(
  watchers: W[],
  status: string,
): W[] {
  return watchers.filter((w) => allows(w.only, status));
}

/** A status as people read it: `validating_files` → "validating files"; unknown ones as they come. */
export function statusLabel(status: string): Mrkdwn {
  return escapeInline(status.replace(/_/g, ' '));
}

/** What a change says, in one mrkdwn line, and whether it is final. */
export interface ChangeSummary {
  text: Mrkdwn;
  terminal: boolean;
}

const DONE: Record<string, string> = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' };

/** The one-line account of a change: error of a failed job, model of a succeeded one, who did it. */
export function summarize(t: {
  jobId: string;
  from: string;
  to: string;
  by: Attribution;
  job: JobSnapshot;
}): ChangeSummary {
  const id = code(t.jobId);
  const terminal = isFinal(t.to);
  if (t.to === GONE) {
    return {
      text: md`${id} is *gone*: the fine-tuning API no longer knows it (deleted, or not visible with ftops' credentials). This channel stops watching it.`,
      terminal,
    };
  }
  if (t.to === 'succeeded') {
    const model = t.job.fine_tuned_model;
    return {
      text: md`${id} *succeeded*${model ? md`: fine-tuned model ${code(model)}` : EMPTY}`,
      terminal,
    };
  }
  if (t.to === 'failed') {
    const err = t.job.error;
    const message = err?.message
      ? escapeInline(truncate(err.message, 500))
      : md`the service gave no error message`;
    return {
      text: md`${id} *failed*: ${message}${err?.code ? md` (${code(err.code)})` : EMPTY}`,
      terminal,
    };
  }
  const course = actionOf(t.from, t.to);
  let credit = EMPTY;
  if (course && t.by !== null) {
    const verb = DONE[course.action] ?? course.action;
    credit =
      t.by === 'outside'
        ? md` — ${escapeInline(verb)} outside ftops`
        : md` — ${escapeInline(verb)} by ${userMention(t.by.userId)}`;
  }
  return {
    text: md`${id} is now *${statusLabel(t.to)}*${credit} (was ${statusLabel(t.from)})`,
    terminal,
  };
}
