import { type FineTuningJob, type FineTuningJobEvent, isTerminal } from '../api/schemas.ts';
import {
  CANCEL_JOB,
  CHART_JOB,
  PAUSE_JOB,
  REFRESH_JOB,
  RESUME_JOB,
  UNWATCH_JOB,
  WATCH_JOB,
} from './action-ids.ts';
import {
  actionsBlock,
  button,
  contextBlock,
  fieldsBlock,
  headerBlock,
  sectionBlock,
} from './blocks.ts';
import {
  eventLine,
  formatCount,
  jobIdentityPlain,
  jobSuffix,
  statusText,
  when,
} from './job-format.ts';
import { type JobLink, jobLinkText } from './job-link.ts';
import { fitMessage } from './limits.ts';
import {
  code,
  EMPTY,
  escapeInline,
  escapeMrkdwn,
  joinMd,
  type Mrkdwn,
  md,
  truncate,
} from './mrkdwn.ts';
import { type ProgressInput, progressBlocks } from './progress.ts';
import { statusEmoji, statusLabel } from './status.ts';
import type { Button, MessageView } from './types.ts';

/** A button a job card may show. */
export type JobAction = 'pause' | 'resume' | 'cancel' | 'refresh' | 'chart' | 'watch' | 'unwatch';

/** The buttons a job card shows when the caller does not say. */
export const DEFAULT_JOB_ACTIONS: readonly JobAction[] = ['pause', 'resume', 'refresh', 'watch'];

export interface JobCardOptions {
  /** Milliseconds since the epoch, for "3h ago". */
  now: number;
  /** Latest events, newest first as the API lists them. */
  events?: readonly FineTuningJobEvent[];
  /** How many events to show; default 3. */
  maxEvents?: number;
  /** A line of plain text shown under the card (escaped here). */
  note?: string;
  /** Which buttons may appear; each still shows only when it fits the job's status. */
  actions?: readonly JobAction[];
  /** The channel already watches this job: offer Unwatch instead of Watch. */
  watching?: boolean;
  /** The job's page in the provider's portal. */
  link?: JobLink;
  /**
   * The live progress (its training series, and the price when configured): shown as its own
   * section, which then carries the trained tokens and the estimated finish.
   */
  progress?: Omit<ProgressInput, 'job' | 'now'>;
}

/**
 * The buttons that fit a job's status, from those allowed: Pause for running jobs, Resume for
 * paused ones, Cancel (only when asked for) before the end, Watch/Unwatch while it can change.
 * Every value is the job ID alone; the handler checks who clicked.
 */
export function jobButtons(
  job: FineTuningJob,
  allowed: readonly JobAction[] = DEFAULT_JOB_ACTIONS,
  watching = false,
): Button[] {
  const may = (a: JobAction) => allowed.includes(a);
  const value = job.id;
  const live = !isTerminal(job.status);
  const out: Button[] = [];
  if (may('pause') && job.status === 'running') {
    out.push(button({ text: '⏸️ Pause', actionId: PAUSE_JOB, value, style: 'danger' }));
  }
  if (may('resume') && job.status === 'paused') {
    out.push(button({ text: '▶️ Resume', actionId: RESUME_JOB, value, style: 'primary' }));
  }
  if (may('cancel') && live) {
    out.push(
      button({
        text: '🚫 Cancel job',
        actionId: CANCEL_JOB,
        value,
        style: 'danger',
        confirm: {
          title: 'Cancel this job?',
          text: md`Cancelling ${code(job.id)} cannot be undone.`,
          confirm: 'Cancel the job',
          deny: 'Keep it',
        },
      }),
    );
  }
  if (may('refresh')) out.push(button({ text: '🔄 Refresh', actionId: REFRESH_JOB, value }));
  if (may('chart')) out.push(button({ text: '📈 Chart', actionId: CHART_JOB, value }));
  if (live && watching && (may('unwatch') || may('watch'))) {
    out.push(button({ text: '🔕 Unwatch', actionId: UNWATCH_JOB, value }));
  } else if (live && !watching && may('watch')) {
    out.push(button({ text: '👀 Watch', actionId: WATCH_JOB, value }));
  }
  return out;
}

/** The fields every job summary shows: status, model, suffix, and the times that apply. */
export function jobFields(
  job: FineTuningJob,
  now: number,
  opts: { finish?: boolean } = {},
): Mrkdwn[] {
  const fields = [md`*Status*\n${statusText(job.status)}`];
  if (job.model) fields.push(md`*Base model*\n${code(truncate(job.model, 200))}`);
  const suffix = jobSuffix(job);
  if (suffix) fields.push(md`*Suffix*\n${code(truncate(suffix, 200))}`);
  if (job.created_at) fields.push(md`*Created*\n${when(job.created_at, now)}`);
  if (job.finished_at) fields.push(md`*Finished*\n${when(job.finished_at, now)}`);
  else if (job.estimated_finish && !isTerminal(job.status) && opts.finish !== false)
    fields.push(md`*Estimated finish*\n${when(job.estimated_finish, now)}`);
  return fields;
}

/** The full card for one job: status, models, times, error or result, latest events, buttons. */
export function jobCard(job: FineTuningJob, opts: JobCardOptions): MessageView {
  const progress = opts.progress;
  const fields = jobFields(job, opts.now, { finish: !progress });
  if (typeof job.trained_tokens === 'number' && !progress)
    fields.push(md`*Trained tokens*\n${escapeInline(formatCount(job.trained_tokens))}`);
  if (job.status === 'succeeded' && job.fine_tuned_model)
    fields.push(md`*Fine-tuned model*\n${code(truncate(job.fine_tuned_model, 300))}`);

  const blocks = [headerBlock(`${statusEmoji(job.status)} ${job.id}`), fieldsBlock(fields)];

  if (job.status === 'failed') {
    const codePart = job.error?.code ? md`${code(truncate(job.error.code, 80))} ` : EMPTY;
    const message = job.error?.message
      ? escapeMrkdwn(truncate(job.error.message, 1500))
      : md`_The service gave no error message._`;
    blocks.push(sectionBlock(md`❌ *Error* ${codePart}${message}`));
  }

  if (progress) blocks.push(...progressBlocks({ ...progress, job, now: opts.now }));

  const events = (opts.events ?? []).slice(0, opts.maxEvents ?? 3);
  if (events.length > 0) {
    blocks.push(
      sectionBlock(
        md`*Latest events*\n${joinMd(
          events.map((e) => eventLine(e, 200)),
          '\n',
        )}`,
      ),
    );
  }
  if (opts.note) blocks.push(contextBlock(escapeInline(truncate(opts.note, 500))));
  if (opts.link) blocks.push(contextBlock(jobLinkText(opts.link)));
  blocks.push(...actionsBlock(jobButtons(job, opts.actions, opts.watching)));

  const text = md`${escapeInline(statusEmoji(job.status))} ${jobIdentityPlain(job)} is ${escapeInline(truncate(statusLabel(job.status), 60))}`;
  return fitMessage({ text, blocks });
}
