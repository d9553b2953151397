import type { FineTuningJob, FineTuningJobEvent } from '../api/schemas.ts';
import {
  code,
  escapeInline,
  joinMd,
  type Mrkdwn,
  md,
  slackDate,
  timeAgo,
  truncate,
} from './mrkdwn.ts';
import { statusEmoji, statusLabel } from './status.ts';

/**
 * Formatting shared by the views that show a job: its suffix, a one-line summary, the
 * timing fields, events and metrics. Everything returned is escaped mrkdwn.
 */

/** The suffix the user gave the job, whichever field the service put it in. */
export function jobSuffix(job: FineTuningJob): string | null {
  return job.user_provided_suffix || job.suffix || null;
}

/** `⏸️ paused`, escaped (unknown statuses come straight from the API). */
export function statusText(status: string): Mrkdwn {
  return md`${escapeInline(statusEmoji(status))} ${escapeInline(truncate(statusLabel(status), 60))}`;
}

/** `` `ftjob-abc` · `gpt-4o-mini` · `my-suffix` `` — the job's identity on one line. */
export function jobIdentity(job: FineTuningJob): Mrkdwn {
  const parts = [code(truncate(job.id, 128))];
  if (job.model) parts.push(code(truncate(job.model, 120)));
  const suffix = jobSuffix(job);
  if (suffix) parts.push(code(truncate(suffix, 80)));
  return joinMd(parts, ' · ');
}

/** The same identity as plain words, for fallback texts (escaped, no code spans). */
export function jobIdentityPlain(job: FineTuningJob): Mrkdwn {
  const suffix = jobSuffix(job);
  return joinMd(
    [job.id, job.model, suffix]
      .filter((p): p is string => typeof p === 'string' && p.length > 0)
      .map((p) => escapeInline(truncate(p, 120))),
    ' · ',
  );
}

/** A Unix-seconds time as a Slack date token with a relative hint: `<!date…> (3h ago)`. */
export function when(unixSeconds: number | null | undefined, nowMs: number): Mrkdwn {
  if (!unixSeconds) return md`—`;
  return md`${slackDate(unixSeconds)} (${escapeInline(timeAgo(unixSeconds, nowMs))})`;
}

/** `1,234,567` without depending on the process's locale. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.trunc(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const METRIC_NAMES: Record<string, string> = {
  train_loss: 'train loss',
  valid_loss: 'valid loss',
  full_valid_loss: 'full valid loss',
  train_mean_token_accuracy: 'train acc',
  valid_mean_token_accuracy: 'valid acc',
  full_valid_mean_token_accuracy: 'full valid acc',
};

function metricValue(v: unknown): Mrkdwn | null {
  if (typeof v === 'number' && Number.isFinite(v)) return md`${Number(v.toPrecision(4))}`;
  if (typeof v === 'string' && v.length > 0) return escapeInline(truncate(v, 40));
  return null;
}

/**
 * `step 12/100 · train loss 0.4211 · valid loss 0.5` from a metrics event's `data` or a
 * checkpoint's `metrics`; unknown keys are shown too, up to a handful. `step: false` leaves
 * the step out, for a line that names it already.
 */
export function metricsText(data: unknown, opts: { step?: boolean } = {}): Mrkdwn | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const d = data as Record<string, unknown>;
  const parts: Mrkdwn[] = [];
  const step = metricValue(d.step);
  if (step !== null && opts.step !== false) {
    const total = metricValue(d.total_steps);
    parts.push(total !== null ? md`step ${step}/${total}` : md`step ${step}`);
  }
  const known = Object.keys(METRIC_NAMES).filter((k) => metricValue(d[k]) !== null);
  const other = Object.keys(d).filter(
    (k) =>
      k !== 'step' && k !== 'total_steps' && !(k in METRIC_NAMES) && metricValue(d[k]) !== null,
  );
  const named = (name: string, k: string) => {
    const v = metricValue(d[k]);
    if (v !== null) parts.push(md`${escapeInline(truncate(name, 40))} ${v}`);
  };
  for (const k of known) named(METRIC_NAMES[k] ?? k, k);
  for (const k of other.slice(0, 6)) named(k, k);
  return parts.length > 0 ? joinMd(parts, ' · ') : null;
}

const LEVEL_EMOJI: Record<string, string> = { error: '❗', warn: '⚠️', warning: '⚠️' };

/** One event as a line: time, level, message (escaped and cut), and metrics when it has them. */
export function eventLine(event: FineTuningJobEvent, maxMessage = 300): Mrkdwn {
  const emoji = Object.hasOwn(LEVEL_EMOJI, event.level) ? LEVEL_EMOJI[event.level] : undefined;
  const level = emoji ? md`${escapeInline(emoji)} ` : md``;
  // A metrics event's message says what its data says ("Step 10/100: training loss=0.42"):
  // show the numbers once, from the data, where they are complete.
  const metrics = event.type === 'metrics' ? metricsText(event.data) : null;
  const body = metrics ?? (escapeInline(truncate(event.message, maxMessage)) || md`_(no message)_`);
  const time = event.created_at ? md`${slackDate(event.created_at)} ` : md``;
  return md`${time}${level}${body}`;
}
