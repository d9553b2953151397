import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';
import { createFineTuningClient } from '../api/index.ts';
import type { ClientAuth, FineTuningClient, RetryPolicy } from '../api/types.ts';
import { ApprovalService, ApproverRoles, createApprovalViews } from '../handlers/approval/index.ts';
import { registerListeners } from '../handlers/index.ts';
import { type Poller, startPoller } from '../poller/index.ts';
import { rendererFromViews } from '../poller/render.ts';
import { type AuditEvent, AuditLog } from '../store/audit.ts';
import { createJobStatusStore, recordActor } from '../store/job-status.ts';
import { createKeys } from '../store/keys.ts';
import { createRedis } from '../store/redis.ts';
import { claimSignature } from '../store/replay.ts';
import { createSubscriptions } from '../store/subscriptions.ts';
import { errorText } from '../util/error-text.ts';
import { announcementCard, announcementReply } from '../views/announcement.ts';
import { toSlackLogger } from './bolt-logger.ts';
import { type Config, describeConfig } from './config/index.ts';
import { createHttpServer, listen, type Readiness } from './http-server.ts';
import { createLogger } from './logger.ts';
import { type ApprovalOutcome, createMetrics, type Metrics } from './metrics.ts';
import { guardResponseUrls } from './response-url.ts';
import { FtopsApp } from './slack-app.ts';
import { createBackgroundClient, replyClientOptions } from './slack-clients.ts';
import { createSlackIngress, newCorrelationId } from './slack-ingress.ts';

/** Which audit events count as which approval outcome in `ftops_approvals_total`. */
const APPROVAL_OUTCOMES: Partial<Record<AuditEvent, ApprovalOutcome>> = {
  requested: 'requested',
  approved: 'approved',
  denied: 'rejected',
  expired: 'expired',
  executed: 'executed',
  self_authorised: 'executed',
  ran_ungated: 'executed',
  failed: 'failed',
};

/** How often pending approval requests are checked for expiry. */
const EXPIRY_SWEEP_MS = 30_000;

/** What a test, the sandbox or `main` may override when starting ftops. */
export interface StartOptions {
  config: Config;
  logger?: Logger;
  /** Entra ID credential; `DefaultAzureCredential` when the config asks for Entra and none is given. */
  credential?: TokenCredential;
  /** API retry backoff; tests pass a zero-delay one. */
  retryPolicy?: RetryPolicy;
  /** Per-attempt API timeout; 30 s when not given (the chaos battery shortens it). */
  apiTimeoutMs?: number;
  /** Gap between two posts to one channel; the poller's default (1.1 s) when not given. */
  paceMs?: number;
  /**
   * How soon the announcements of a worker that died are taken over: BullMQ's lock and
   * stalled-check timings (30 s each) and the card lock (60 s) when not given.
   */
  notifyStall?: { lockDurationMs: number; stalledIntervalMs: number; cardLockMs: number };
  /** Listen address; all interfaces by default, 127.0.0.1 for the sandbox. */
  host?: string;
  /** Overrides `config.port` (0 picks a free port). */
  port?: number;
  /** The metrics registry; a fresh one when not given. */
  metrics?: Metrics;
  /**
   * How long an approved request may go without an outcome before the worker takes it over;
   * `DEFAULT_RECOVERY_GRACE_MS` (10 min) when not given (the chaos battery shortens it).
   */
  recoveryGraceMs?: number;
  /** How often the worker expires and recovers approval requests; 30 s when not given. */
  approvalSweepMs?: number;
  /** Extra HTTP routes served next to Slack's (the sandbox page). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
  clock?: () => number;
}

/** A running ftops process: its port and a way to stop it cleanly. */
export interface Ftops {
  port: number;
  url: string;
  api: FineTuningClient;
  poller?: Poller;
  approvals?: ApprovalService;
  stop(): Promise<void>;
}

/**
 * The composition root: builds every client and service from the config and passes each
 * piece what it needs. `FT_ROLE` decides which halves run: `web` answers Slack, `worker`
 * sweeps and announces, `all` does both. The HTTP server (health, readiness, metrics) runs in
 * every role.
 */
export async function startFtops(opts: StartOptions): Promise<Ftops> {
  const { config } = opts;
  const clock = opts.clock ?? Date.now;
  const logger =
    opts.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const metrics = opts.metrics ?? createMetrics();
  const keys = createKeys(config.redis.namespace);
  const redis = createRedis(config.redis.url, { name: 'ftops' });
  const stops: Array<() => Promise<unknown>> = [];
  stops.push(() => redis.quit().catch(() => redis.disconnect()));

  let lastApiAuthFailure = false;
  const api = createFineTuningClient({
    baseUrl: config.fineTuning.baseUrl,
    auth: resolveAuth(config.fineTuning.auth, opts.credential),
    ...(config.fineTuning.apiVersion ? { apiVersion: config.fineTuning.apiVersion } : {}),
    ...(opts.retryPolicy ? { retryPolicy: opts.retryPolicy } : {}),
    ...(opts.apiTimeoutMs ? { timeoutMs: opts.apiTimeoutMs } : {}),
    onRequest: (info) => {
      metrics.observeApiRequest(info);
      if (info.status === 401 || info.status === 403) lastApiAuthFailure = true;
      else if (info.status > 0 && info.status < 400) lastApiAuthFailure = false;
    },
  });
  stops.push(() => api.close());

  const subscriptions = createSubscriptions(redis, keys);
  const statuses = createJobStatusStore(redis, keys);
  const audit = new AuditLog({ redis, keys, logger: logger.child({ component: 'audit' }) });
  const webClient = createBackgroundClient(config.slack.botToken, config.slack.apiUrl, logger);
  const roles = new ApproverRoles({ slack: webClient, approvers: config.approval.approvers });
  const approvals = new ApprovalService({
    redis,
    keys,
    api,
    slack: webClient,
    roles,
    config: config.approval,
    audit: {
      append: (entry) => {
        const outcome = APPROVAL_OUTCOMES[entry.event];
        if (outcome) metrics.approval(outcome);
        return audit.append(entry);
      },
    },
    views: createApprovalViews(config.approval.approvers),
    clock,
    onWatch: (channel, jobId) => subscriptions.watch(channel, jobId),
    onActing: async (job, actor) => {
      await recordActor(redis, keys, job.id, actor);
      // The status before the action becomes the poller's baseline if it has none yet, so the
      // change this action causes is announced rather than taken as a first sighting.
      await statuses.recordFirstSight({
        jobId: job.id,
        status: job.status,
        createdAt: job.created_at ?? 0,
        now: clock(),
      });
    },
    logger: logger.child({ component: 'approvals' }),
    ...(opts.recoveryGraceMs !== undefined ? { recoveryGraceMs: opts.recoveryGraceMs } : {}),
  });

  const runsWeb = config.role !== 'worker';
  const runsWorker = config.role !== 'web';
  let slackEvents: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  if (runsWeb) {
    const deps = {
      api,
      approvals,
      roles,
      subscriptions,
      statuses,
      audit,
      approvalConfig: config.approval,
      logger: logger.child({ component: 'handlers' }),
      clock,
      onCommand: (verb: string, outcome: 'ok' | 'user_error' | 'error') =>
        metrics.commandHandled(verb, outcome === 'user_error' ? 'invalid' : outcome),
    };
    const clientOptions = replyClientOptions(config.slack.apiUrl, logger);
    const slackLogger = toSlackLogger(logger, 'bolt');
    if (config.slack.socketMode && config.slack.appToken) {
      const receiver = new SocketModeReceiver({
        appToken: config.slack.appToken,
        logger: slackLogger,
        installerOptions: { clientOptions },
        customPropertiesExtractor: () => ({ correlationId: newCorrelationId() }),
      });
      const app = new FtopsApp(
        { token: config.slack.botToken, receiver, clientOptions, logger: slackLogger },
        logger.child({ component: 'bolt' }),
      );
      app.use(guardResponseUrls(config.slack.apiUrl, logger.child({ component: 'ingress' })));
      registerListeners(app, deps);
      await app.start();
      stops.unshift(() => app.stop());
    } else {
      const receiver = new HTTPReceiver({
        signingSecret: config.slack.signingSecret ?? '',
        logger: slackLogger,
        customPropertiesExtractor: (req) => ({
          correlationId: (req as { correlationId?: string }).correlationId ?? newCorrelationId(),
        }),
      });
      const app = new FtopsApp(
        { token: config.slack.botToken, receiver, clientOptions, logger: slackLogger },
        logger.child({ component: 'bolt' }),
      );
      app.use(guardResponseUrls(config.slack.apiUrl, logger.child({ component: 'ingress' })));
      registerListeners(app, deps);
      slackEvents = createSlackIngress({
        signingSecret: config.slack.signingSecret ?? '',
        boltListener: receiver.requestListener,
        claimSignature: (sig) => claimSignature(redis, keys, sig),
        logger: logger.child({ component: 'ingress' }),
        onRefused: (reason) => metrics.slackRequestRefused(reason),
        onAnswered: (seconds, kind) => metrics.observeAck(seconds, kind),
      });
    }
  }

  let poller: Poller | undefined;
  if (runsWorker) {
    poller = await startPoller({
      redisUrl: config.redis.url,
      keys,
      client: api,
      slack: webClient,
      intervalSeconds: config.poller.intervalSeconds,
      ...(opts.paceMs !== undefined ? { paceMs: opts.paceMs } : {}),
      ...(opts.notifyStall ? { notifyStall: opts.notifyStall } : {}),
      render: rendererFromViews({ card: announcementCard, reply: announcementReply }),
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
        .recoverStuck()
        .catch((err: unknown) =>
          logger.warn({ err: errorText(err) }, 'approval recovery sweep failed'),
        );
    }, opts.approvalSweepMs ?? EXPIRY_SWEEP_MS);
    timer.unref();
    stops.unshift(async () => clearInterval(timer));
  }

  const readiness = async (): Promise<Readiness> => {
    const checks: Readiness['checks'] = {};
    try {
      await redis.ping();
      checks.redis = { ok: true };
    } catch {
      checks.redis = { ok: false, detail: 'Redis is not answering' };
    }
    checks.fineTuningApi = lastApiAuthFailure
      ? {
          ok: false,
          detail: 'the last fine-tuning API call was refused (401/403): check the key or role',
        }
      : { ok: true };
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  };

  const server: Server = createHttpServer({
    ...(slackEvents ? { slackEvents } : {}),
    readiness,
    metrics: () => metrics.render(),
    ...(opts.fallback ? { fallback: opts.fallback } : {}),
  });
  let port: number;
  try {
    port = await listen(server, opts.port ?? config.port, opts.host);
  } catch (err) {
    // A taken port must not leave the poller and its connections running.
    for (const stop of stops) await stop().catch(() => {});
    throw err;
  }
  stops.unshift(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  logger.info({ port, config: describeConfig(config) }, 'ftops started');

  let stopped = false;
  return {
    port,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    api,
    ...(poller ? { poller } : {}),
    approvals,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const stop of stops) {
        try {
          await stop();
        } catch (err) {
          logger.warn({ err: errorText(err) }, 'error while stopping');
        }
      }
    },
  };
}

/** The values that must never reach a log line. */
export function secretsOf(config: Config): string[] {
  const auth = config.fineTuning.auth;
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    auth.type === 'api-key' ? auth.key : auth.type === 'bearer' ? auth.token : undefined,
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function resolveAuth(auth: Readonly<ClientAuth>, credential?: TokenCredential): ClientAuth {
  if (auth.type !== 'entra') return { ...auth };
  return { ...auth, credential: credential ?? auth.credential ?? new DefaultAzureCredential() };
}
