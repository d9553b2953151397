import type { FineTuningJob } from '../../api/schemas.ts';
import { checkpointsView } from '../../views/checkpoints.ts';
import { eventsView } from '../../views/events.ts';
import { type JobCardOptions, jobCard } from '../../views/job-card.ts';
import type { JobLink } from '../../views/job-link.ts';
import { jobList } from '../../views/job-list.ts';
import type { MessageView } from '../../views/types.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { orNotFound, ResourcesUnavailableError, readJob } from '../job-lookup.ts';

/** `/ft list [n]`: the newest jobs, one line each. */
export async function listJobs(
  deps: HandlerDeps,
  resources: readonly string[],
  limit: number,
): Promise<MessageView> {
  const page = await deps.resources.list(resources, limit);
  // Every resource failing is an error; some failing is a list with a note saying which.
  if (page.failed.length === resources.length && page.failed[0]) {
    if (page.failed.length === 1) throw page.failed[0].error;
    throw new ResourcesUnavailableError(page.failed);
  }
  return jobList(page.jobs, {
    now: deps.clock(),
    hasMore: page.hasMore,
    ...(page.failed.length
      ? { unavailable: page.failed.map((f) => ({ resource: f.resource, message: f.message })) }
      : {}),
  });
}

/** Statuses in which a job is training, so its card shows progress (and metrics are read). */
export const PROGRESS_STATUSES: ReadonlySet<string> = new Set([
  'running',
  'pausing',
  'paused',
  'resuming',
]);

/**
 * `/ft status <job>` and the Refresh button: the job card with its latest events and, while
 * it trains, its progress.
 */
export async function jobStatus(
  deps: HandlerDeps,
  caller: Pick<Caller, 'channelId'>,
  jobId: string,
  note?: string,
): Promise<MessageView> {
  // The job first: an unknown ID costs one call, not two.
  const job = await readJob(deps, jobId);
  const [events, watching, progress] = await Promise.all([
    deps.api.listEvents(jobId, { limit: 3 }).then(
      (p) => p.data,
      () => [], // the card is still worth showing without its events
    ),
    isWatching(deps, caller.channelId, jobId),
    progressOf(deps, jobId, job),
  ]);
  return jobCard(job, {
    now: deps.clock(),
    events,
    watching,
    ...(progress ? { progress } : {}),
    ...(note ? { note } : {}),
    actions: ['pause', 'resume', 'cancel', 'refresh', 'chart', 'watch', 'unwatch'],
    ...linkOf(deps, job.id),
  });
}

/** The card's portal link option, when the deployment knows where jobs are shown. */
export function linkOf(deps: HandlerDeps, jobId: string): { link?: JobLink } {
  const link = deps.jobLink?.(jobId);
  return link ? { link } : {};
}

/** `/ft events <job>`: the latest events, metrics lines included. */
export async function jobEvents(deps: HandlerDeps, jobId: string): Promise<MessageView> {
  const page = await orNotFound(deps, jobId, () => deps.api.listEvents(jobId, { limit: 20 }));
  return eventsView(jobId, page.data);
}

/** `/ft checkpoints <job>`: step, metrics and checkpoint model of each checkpoint. */
export async function jobCheckpoints(deps: HandlerDeps, jobId: string): Promise<MessageView> {
  const page = await orNotFound(deps, jobId, () => deps.api.listCheckpoints(jobId, { limit: 10 }));
  return checkpointsView(jobId, page.data);
}

/** The card's progress for a training job; a failure to read metrics leaves it out, never the card. */
async function progressOf(
  deps: HandlerDeps,
  jobKey: string,
  job: FineTuningJob,
): Promise<NonNullable<JobCardOptions['progress']> | undefined> {
  const training = deps.training;
  if (!training || !PROGRESS_STATUSES.has(job.status)) return undefined;
  try {
    const series = await training.progressOf(jobKey, job);
    if (!series) return undefined;
    const price = training.priceOf?.(jobKey, job.model);
    return { series, ...(price === undefined ? {} : { pricePerMillionTokens: price }) };
  } catch (err) {
    deps.logger.warn({ err, jobKey }, 'could not read the training metrics; card without progress');
    return undefined;
  }
}

async function isWatching(deps: HandlerDeps, channel: string, jobId: string): Promise<boolean> {
  try {
    const subs = await deps.subscriptions.list(channel);
    return subs.some((s) => s.target === jobId);
  } catch {
    return false; // Redis trouble must not hide the card; the Watch button is offered instead
  }
}
