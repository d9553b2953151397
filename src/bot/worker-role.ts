import { mayRun, ruleFor } from '../access/index.ts';
import type { ChartPoster } from '../handlers/deps.ts';
import { type Poller, startPoller } from '../poller/index.ts';
import { rendererFromViews } from '../poller/render.ts';
import { errorText } from '../util/error-text.ts';
import { announcementCard, announcementReply } from '../views/announcement.ts';
import { type JobLink, jobLinkFor } from '../views/job-link.ts';
import { resourceNotice } from '../views/resource-notice.ts';
import { splitJobKey } from '../vocabulary/index.ts';
import type { Services } from './services.ts';
import type { StartOptions } from './start-options.ts';

/** How often pending approval requests are checked for expiry. */
const EXPIRY_SWEEP_MS = 30_000;

/**
 * The worker role: the poller (sweeps and announcements) and the approval sweep (expiry and
 * recovery of requests a dead process left behind).
 */
export async function startWorkerRole(s: Services, opts: StartOptions): Promise<Poller> {
  const { config, logger, metrics, keys, webClient, approvals, stops } = s;
  const poller = await startPoller({
    redis: s.redisConnector,
    keys,
    targets: s.resources.all.map((r) => ({
      resource: r.name,
      client: r.client,
      intervalSeconds: r.config.pollIntervalSeconds,
      owns: (key: string) => splitJobKey(key)?.resource === r.name,
    })),
    // Only a channel whose rules let it watch a job's resource hears about it, `watch all` or not.
    mayHear: (channel, key) => {
      const resource = splitJobKey(key)?.resource;
      return (
        resource !== undefined && mayRun(ruleFor(s.live.config.access, channel), 'watch', resource)
      );
    },
    slack: webClient,
    afterFinished: finalChart(s),
    // With one resource, a down API already shows in every reply and in /readyz; with several,
    // its channels are told, since the others keep talking.
    ...(s.resources.all.length > 1 ? { resourceNotice } : {}),
    ...(opts.paceMs !== undefined ? { paceMs: opts.paceMs } : {}),
    ...(opts.notifyStall ? { notifyStall: opts.notifyStall } : {}),
    render: rendererFromViews({
      card: (t) => announcementCard({ ...t, link: linkOf(s, t.job.id) }),
      reply: announcementReply,
    }),
    logger: logger.child({ component: 'poller' }),
    events: {
      sweep: ({ sweepId, resource, seconds, report, skipped }) => {
        if (skipped) {
          logger.warn(
            { sweepId, resource },
            'the previous sweep of this resource is still running; skipped',
          );
          return;
        }
        metrics.sweepCompleted({
          resource,
          seconds,
          jobsRead: report ? report.pages + report.singleReads : 0,
          ok: report !== undefined,
        });
        logger.info(
          { sweepId, resource, seconds, ...report },
          report ? 'sweep done' : 'sweep failed',
        );
      },
      announced: (ok, reason) =>
        ok ? metrics.announcementSent() : metrics.announcementFailed(reason),
    },
  });
  if (config.answerIn === 'worker')
    await import('./answer-role.ts').then((m) => m.startAnswerWorker(s));
  const started = poller;
  metrics.setQueueDepthSource(() => started.queueDepths());
  stops.unshift(() => started.close());
  const timer = setInterval(() => {
    approvals
      .expireDue()
      .catch((err: unknown) => logger.warn({ err: errorText(err) }, 'expiry sweep failed'));
    approvals
      .closeMoot()
      .catch((err: unknown) =>
        logger.warn({ err: errorText(err) }, 'closing moot requests failed'),
      );
    approvals
      .recoverStuck()
      .catch((err: unknown) =>
        logger.warn({ err: errorText(err) }, 'approval recovery sweep failed'),
      );
  }, opts.approvalSweepMs ?? EXPIRY_SWEEP_MS);
  timer.unref();
  stops.unshift(async () => clearInterval(timer));
  return poller;
}

/**
 * When a job's end is announced in a channel, its final chart goes into the card's thread.
 * The charts (resvg and its fonts) are loaded on the first finished job, so a worker that
 * never sees one never holds them; a job that published no metrics gets no chart.
 */
function finalChart(
  s: Services,
): (jobKey: string, channel: string, cardTs: string) => Promise<void> {
  let poster: Promise<ChartPoster> | undefined;
  return async (jobKey, channel, cardTs) => {
    poster ??= import('./chart-poster.ts').then((m) => m.createChartPoster(s));
    const posted = await (await poster).post({ jobKey, channel, threadTs: cardTs });
    if (posted.posted)
      s.logger.info({ jobId: jobKey, channel }, 'posted the final chart in the card’s thread');
  };
}

/** The job's page in its resource's portal, when that resource says where jobs are shown. */
function linkOf(s: Services, key: string): JobLink | undefined {
  const split = splitJobKey(key);
  const resource = split ? s.resources.get(split.resource) : undefined;
  return resource && split ? jobLinkFor(resource.config.jobUrl, split.id) : undefined;
}
