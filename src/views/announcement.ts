import { type FineTuningJob, GONE } from '../api/schemas.ts';
import { actionsBlock, contextBlock, sectionBlock } from './blocks.ts';
import { jobButtons } from './job-card.ts';
import { formatCount, jobIdentity, jobIdentityPlain, statusText } from './job-format.ts';
import { type JobLink, jobLinkText } from './job-link.ts';
import { fitMessage } from './limits.ts';
import {
  code,
  EMPTY,
  escapeInline,
  escapeMrkdwn,
  formatDuration,
  joinMd,
  type Mrkdwn,
  md,
  slackAgo,
  truncate,
  userMention,
} from './mrkdwn.ts';
import { statusEmoji, statusLabel } from './status.ts';
import type { MessageView } from './types.ts';

/** Who made a change through ftops, or null when it happened outside ftops. */
export type Actor = { userId: string } | null;

/** A status change as the poller saw it. `from` is null the first time a job is seen. */
export interface Transition {
  job: FineTuningJob;
  from: string | null;
  to: string;
  actor?: Actor;
}

/** Statuses an ftops action leads to, so an actor is named for them and not for others. */
const CAUSED_BY_ACTION = new Set(['pausing', 'paused', 'resuming', 'cancelled']);

/** Whether a pause, resume or cancel (by ftops or anyone else) explains this change. */
function isActionResult(t: Transition): boolean {
  if (CAUSED_BY_ACTION.has(t.to)) return true;
  const wasHeld = t.from === 'paused' || t.from === 'resuming';
  return wasHeld && t.to !== 'failed' && t.to !== 'succeeded';
}

/** Why a job is gone and what follows, under its card and in its thread. */
const GONE_REASON =
  "the fine-tuning API no longer knows this job (deleted, or not visible with ftops' credentials), so this channel stops watching it";

/** `running → paused`, escaped. */
function arrow(from: string | null, to: string): Mrkdwn {
  const toLabel = escapeInline(truncate(statusLabel(to), 60));
  return from === null
    ? md`now ${toLabel}`
    : md`${escapeInline(truncate(statusLabel(from), 60))} → ${toLabel}`;
}

/**
 * What people want to know the moment a job ends, in the card itself: the error of a failed
 * job; the model, trained tokens and time taken of a succeeded one.
 */
function outcomeLine(job: FineTuningJob, to: string): Mrkdwn | null {
  if (to === 'failed') {
    const err = job.error;
    const message = err?.message
      ? escapeMrkdwn(truncate(err.message, 1500))
      : md`the service gave no error message`;
    return md`*Error*${err?.code ? md` ${code(truncate(err.code, 80))}` : EMPTY}: ${message}`;
  }
  if (to !== 'succeeded') return null;
  const parts: Mrkdwn[] = [];
  if (job.fine_tuned_model)
    parts.push(md`Fine-tuned model ${code(truncate(job.fine_tuned_model, 300))}`);
  if (typeof job.trained_tokens === 'number')
    parts.push(md`${escapeInline(formatCount(job.trained_tokens))} trained tokens`);
  if (job.created_at && job.finished_at && job.finished_at >= job.created_at)
    parts.push(md`took ${escapeInline(formatDuration(job.finished_at - job.created_at))}`);
  return parts.length > 0 ? joinMd(parts, ' · ') : null;
}

/**
 * The compact card posted when a watched job changes status:
 * `` `ftjob-abc` · `gpt-4o-mini` · `my-suffix` — running → paused ``, with the buttons that fit
 * the new status.
 */
export function announcementCard(
  input: Transition & { now: number; link?: JobLink | undefined },
): MessageView {
  const line = md`${escapeInline(statusEmoji(input.to))} ${jobIdentity(input.job)} — ${arrow(input.from, input.to)}`;
  const who =
    input.to === GONE
      ? escapeInline(GONE_REASON)
      : input.actor && isActionResult(input)
        ? md`by ${userMention(input.actor.userId)}`
        : isActionResult(input)
          ? md`outside ftops`
          : EMPTY;
  const seen = md`updated ${slackAgo(Math.floor(input.now / 1000))}`;
  // The card reflects the new status even if the job object lags behind it.
  const job = { ...input.job, status: input.to };
  const outcome = outcomeLine(input.job, input.to);
  const blocks = [
    sectionBlock(outcome ? md`${line}\n${outcome}` : line),
    contextBlock(
      joinMd(
        [...(who ? [who] : []), seen, ...(input.link ? [jobLinkText(input.link)] : [])],
        ' · ',
      ),
    ),
    ...actionsBlock(jobButtons(job, ['pause', 'resume', 'refresh'])),
  ];
  const text = md`${escapeInline(statusEmoji(input.to))} ${jobIdentityPlain(input.job)}: ${arrow(input.from, input.to)}`;
  return fitMessage({ text, blocks });
}

/**
 * The one-line thread reply under an announcement: who did it ("paused by @x", or "paused
 * outside ftops"), the error of a failed job, the model of a succeeded one.
 */
export function announcementReply(input: Transition): MessageView {
  const status = statusText(input.to);
  let text: Mrkdwn;
  if (input.to === 'failed') {
    const err = input.job.error;
    const detail = err?.message
      ? escapeMrkdwn(truncate(err.message, 1500))
      : md`no error message given`;
    text = md`${status}: ${err?.code ? md`${code(truncate(err.code, 80))} ` : EMPTY}${detail}`;
  } else if (input.to === 'succeeded') {
    text = input.job.fine_tuned_model
      ? md`${status}: fine-tuned model ${code(truncate(input.job.fine_tuned_model, 300))}`
      : md`${status}`;
  } else if (input.to === GONE) {
    text = md`${status}: ${escapeInline(GONE_REASON)}`;
  } else if (input.actor && isActionResult(input)) {
    text = md`${status} by ${userMention(input.actor.userId)}`;
  } else if (isActionResult(input)) {
    text = md`${status} outside ftops`;
  } else {
    text = md`${status} (was ${input.from === null ? md`unknown` : escapeInline(truncate(statusLabel(input.from), 60))})`;
  }
  return fitMessage({ text, blocks: [sectionBlock(text)] });
}
