import type { FineTuningJob } from '../api/schemas.ts';
import type { Transition } from '../store/job-status.ts';
import { code, EMPTY, md } from '../views/mrkdwn.ts';
import type { MessageBody } from '../views/types.ts';
import { type ChangeSummary, type JobSnapshot, statusLabel } from './transitions.ts';

/**
 * The shape of what the notify worker posts, and a plain default. The Block Kit views
 * (src/views/announcement.ts) are injected by the composition root, so the poller does not
 * depend on them; any function with these types will do.
 */

/** One change as a channel will be told about it. */
export interface Announcement extends Transition<JobSnapshot> {
  channel: string;
  summary: ChangeSummary;
}

/** Renders the live card of a job and the one-line thread reply of a change. */
export interface AnnouncementRenderer {
  card(a: Announcement): MessageBody;
  reply(a: Announcement): MessageBody;
}

/** Text-only announcements, for tests and for running without the views. */
export const plainRenderer: AnnouncementRenderer = {
  card(a) {
    const model = a.job.fine_tuned_model ?? a.job.model;
    return {
      text: md`${code(a.jobId)} *${statusLabel(a.to)}*${model ? md` · ${code(model)}` : EMPTY}`,
    };
  },
  reply(a) {
    return { text: a.summary.text };
  },
};

/** A change in the shape the Block Kit views take (`announcementCard`, `announcementReply`). */
export interface ViewTransition {
  job: FineTuningJob;
  from: string | null;
  to: string;
  /** Who did it through ftops; null when it happened outside ftops. */
  actor?: { userId: string } | null;
}

/**
 * Adapts view functions of the `ViewTransition` shape into a renderer, so the composition
 * root can pass `{ card: announcementCard, reply: announcementReply }` without the poller
 * importing the views.
 */
export function rendererFromViews(
  views: {
    card(input: ViewTransition & { now: number }): MessageBody;
    reply(input: ViewTransition): MessageBody;
  },
  now: () => number = Date.now,
): AnnouncementRenderer {
  const toView = (a: Announcement): ViewTransition => ({
    // The snapshot holds every field the views read; the rest of a job is optional.
    job: a.job as FineTuningJob,
    from: a.from,
    to: a.to,
    actor: a.by && a.by !== 'outside' ? { userId: a.by.userId } : null,
  });
  return {
    card: (a) => views.card({ ...toView(a), now: now() }),
    reply: (a) => views.reply(toView(a)),
  };
}
