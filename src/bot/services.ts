import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FineTuningClient } from '../api/types.ts';
import { ApprovalService, ApproverRoles, createApprovalViews } from '../handlers/approval/index.ts';
import { type AuditEvent, AuditLog } from '../store/audit.ts';
import type { JobStatusStore } from '../store/job-status.ts';
import { createJobStatusStore, recordActor } from '../store/job-status.ts';
import type { Keys } from '../store/keys.ts';
import { createKeys } from '../store/keys.ts';
import { createRedisConnector, type RedisConnector } from '../store/redis.ts';
import type { Subscriptions } from '../store/subscriptions.ts';
import { createSubscriptions } from '../store/subscriptions.ts';
import type { MetricsReader } from '../training/reader.ts';
import { evidenceLine } from '../views/evidence.ts';
import type { Config } from './config/index.ts';
import { createLogger } from './logger.ts';
import { type ApprovalOutcome, createMetrics, type Metrics } from './metrics.ts';
import { ResourceSet } from './resource-set.ts';
import { createBackgroundClient } from './slack-clients.ts';
import type { StartOptions } from './start-options.ts';
import { createServiceMetricsReader } from './training-reader.ts';

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

/** Everything both roles share, built once from the config. */
export interface Services {
  /** The configuration at start-up; `live.config` is the one in force after any reload. */
  config: Config;
  live: { config: Config };
  clock: () => number;
  logger: Logger;
  metrics: Metrics;
  keys: Keys;
  /** Builds every Redis client (standalone or cluster) and keeps Entra ID tokens fresh. */
  redisConnector: RedisConnector;
  redis: Redis;
  /** Routes a job key to its resource's client. */
  api: FineTuningClient;
  /** Every configured resource: its client, policy and health. */
  resources: ResourceSet;
  subscriptions: Subscriptions;
  statuses: JobStatusStore;
  audit: AuditLog;
  webClient: WebClient;
  roles: ApproverRoles;
  approvals: ApprovalService;
  /** Whether the last fine-tuning API call was refused (401/403), for readiness. */
  apiAuthFailing(): boolean;
  /** What to close on stop, first to last; the roles add theirs at the front. */
  stops: Array<() => Promise<unknown>>;
}

/** Builds the clients, stores and the approval gate from the config. */
export function buildServices(opts: StartOptions): Services {
  const { config } = opts;
  const clock = opts.clock ?? Date.now;
  const logger =
    opts.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const metrics = opts.metrics ?? createMetrics();
  const keys = createKeys(config.redis.namespace);
  const redisConnector = createRedisConnector(config.redis, {
    ...(opts.credential ? { credential: opts.credential } : {}),
    logger: logger.child({ component: 'redis' }),
  });
  const redis = redisConnector.commands({ name: 'ftops' });
  const stops: Array<() => Promise<unknown>> = [];
  stops.push(async () => redisConnector.close());
  stops.push(() => redis.quit().catch(() => redis.disconnect()));

  const webClient = createBackgroundClient(config.slack.botToken, config.slack.apiUrl, logger);
  const resources = new ResourceSet({
    resources: config.resources,
    slack: webClient,
    ...(opts.credential ? { credential: opts.credential } : {}),
    ...(opts.retryPolicy ? { retryPolicy: opts.retryPolicy } : {}),
    ...(opts.apiTimeoutMs ? { timeoutMs: opts.apiTimeoutMs } : {}),
    onRequest: (resource, info) => metrics.observeApiRequest({ ...info, resource }),
  });
  stops.push(() => resources.close());
  const api = resources.routed;

  const subscriptions = createSubscriptions(redis, keys);
  const statuses = createJobStatusStore(redis, keys);
  const audit = new AuditLog({ redis, keys, logger: logger.child({ component: 'audit' }) });
  const roles = new ApproverRoles({ slack: webClient, approvers: config.approval.approvers });
  let reader: MetricsReader | undefined;
  const approvals = new ApprovalService({
    redis,
    keys,
    api,
    slack: webClient,
    roles,
    config: config.approval,
    policyFor: (jobId) => resources.of(jobId)?.policy ?? { config: config.approval, roles },
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
    // What is new of the job's metrics, read when a pause or cancel is asked, for approvers.
    evidenceOf: async (job) => {
      reader ??= createServiceMetricsReader(services);
      const { series } = await reader.read(job.id, { job });
      return evidenceLine(series);
    },
    ...(opts.recoveryGraceMs !== undefined ? { recoveryGraceMs: opts.recoveryGraceMs } : {}),
  });

  const services: Services = {
    config,
    live: { config },
    clock,
    logger,
    metrics,
    keys,
    redisConnector,
    redis,
    api,
    resources,
    subscriptions,
    statuses,
    audit,
    webClient,
    roles,
    approvals,
    apiAuthFailing: () => resources.all.some((r) => r.health.authFailing),
    stops,
  };
  return services;
}

/** The values that must never reach a log line. */
export function secretsOf(config: Config): string[] {
  const keyOf = (auth: Config['fineTuning']['auth']) =>
    auth.type === 'api-key' ? auth.key : auth.type === 'bearer' ? auth.token : undefined;
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    keyOf(config.fineTuning.auth),
    ...config.resources.flatMap((r) => [keyOf(r.auth), r.webhookSecret]),
    ...(config.fileSecrets ?? []),
    config.redis.auth.type === 'password' ? config.redis.auth.password : undefined,
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}
