import { type Poller, startPoller } from '../poller/index.ts';
import { rendererFromViews } from '../poller/render.ts';
import { errorText } from '../util/error-text.ts';
import { announcementCard, announcementReply } from '../views/announcement.ts';
import { jobLinkFor } from '../views/job-link.ts';
import type { Services } from './services.ts';
import type { StartOptions } from './start-options.ts';

/** How often pending approval requests are checked for expiry. */
const EXPIRY_SWEEP_MS = 30_000;

/**
 * The worker role: the poller (sweeps and announcements) and the approval sweep (expiry and
 * recovery of requests a dead process left behind).
 */
export async function startWorkerRole(s: Services, opts: StartOptions): Promise<Poller> {
  const { config, logger, metrics, keys, api, webClient, approvals, stops } = s;
  const poller = await startPoller({
    redisUrl: config.redis.url,
    keys,
    client: api,
    slack: webClient,
    intervalSeconds: config.poller.intervalSeconds,
    ...(opts.paceMs !== undefined ? { paceMs: opts.paceMs } : {}),
    ...(opts.notifyStall ? { notifyStall: opts.notifyStall } : {}),
    render: rendererFromViews({
      card: (t) => announcementCard({ ...t, link: jobLinkFor(config.jobUrl, t.job.id) }),
      reply: announcementReply,
    }),
    logger: logger.child({ component: 'poller' }),
    events: {
      sweep: ({ sweepId, seconds, report }) => {
        metrics.sweepCompleted({
          seconds,
          jobsRead: report ? report.pages + report.singleReads : 0,
          ok: report !== undefined,
        });
        logger.info({ sweepId, seconds, ...report }, report ? 'sweep done' : 'sweep failed');
      },
      announced: (ok, reason) =>
        ok ? metrics.announcementSent() : metrics.announcementFailed(reason),
    },
  });
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
