import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestInfo } from '../api/types.ts';
import { isVerb, type Verb } from '../vocabulary/index.ts';

/**
 * The Prometheus metrics of one ftops process, on a registry of its own (so tests, the sandbox
 * and several apps in one process never collide on prom-client's global one). Every label
 * value comes from a small fixed set: job IDs, user IDs and channel IDs are never labels,
 * because each new value would be a new time series kept forever.
 */

/** How a `/ft` command ended, as counted in `ftops_commands_total{outcome}`. */
export type CommandOutcome = 'ok' | 'dry_run' | 'pending_approval' | 'invalid' | 'denied' | 'error';

/** What happened to an approval request, as counted in `ftops_approvals_total{outcome}`. */
export type ApprovalOutcome =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'executed'
  | 'failed';

/** Which kind of Slack request was acknowledged. */
export type AckKind = 'command' | 'action' | 'view';

/** Queue depths reported on each scrape. */
export interface QueueDepths {
  sweep: number;
  notify: number;
}

/** The registry and the typed helpers the rest of ftops records through. */
export interface Metrics {
  readonly registry: Registry;
  /** Counts one `/ft` command; an unknown verb is counted as `unknown`. */
  commandHandled(verb: string, outcome: CommandOutcome): void;
  /** Records how long a Slack request took to be acknowledged. */
  observeAck(seconds: number, kind?: AckKind): void;
  /** Records one fine-tuning API attempt; fits `ClientOptions.onRequest`. */
  observeApiRequest(info: RequestInfo): void;
  /** Records one sweep of the poller: its duration, whether it failed, and how many jobs it read. */
  sweepCompleted(sweep: {
    resource?: string;
    seconds: number;
    jobsRead: number;
    ok?: boolean;
  }): void;
  /** Counts an announcement posted to Slack. */
  announcementSent(): void;
  /** Counts an announcement that could not be posted, by Slack's error code. */
  announcementFailed(reason?: string): void;
  /** Counts an approval request event. */
  approval(outcome: ApprovalOutcome): void;
  /** Counts a request to /slack/events that was refused before dispatch (bad signature, ...). */
  slackRequestRefused(reason: string): void;
  /** Sets where queue depths come from; it is called on every scrape. */
  setQueueDepthSource(source: () => Promise<QueueDepths>): void;
  /** The text exposition for `GET /metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Every value `normaliseEndpoint` can return, so the `endpoint` label has a fixed set. */
export const API_ENDPOINTS = [
  '/fine_tuning/jobs',
  '/fine_tuning/jobs/{id}',
  '/fine_tuning/jobs/{id}/pause',
  '/fine_tuning/jobs/{id}/resume',
  '/fine_tuning/jobs/{id}/cancel',
  '/fine_tuning/jobs/{id}/events',
  '/fine_tuning/jobs/{id}/checkpoints',
  '/fine_tuning/jobs/{id}/other',
  'other',
] as const;
export type ApiEndpoint = (typeof API_ENDPOINTS)[number];

const JOB_SUFFIXES = new Set(['pause', 'resume', 'cancel', 'events', 'checkpoints']);

/** Maps a request path to its route template: the job ID becomes `{id}`, the query is dropped. */
export function normaliseEndpoint(path: string): ApiEndpoint {
  const parts = (path.split(/[?#]/)[0] ?? '').split('/').filter(Boolean);
  if (parts[0] !== 'fine_tuning' || parts[1] !== 'jobs') return 'other';
  if (parts.length === 2) return '/fine_tuning/jobs';
  if (parts.length === 3) return '/fine_tuning/jobs/{id}';
  const suffix = parts[3] ?? '';
  if (parts.length === 4 && JOB_SUFFIXES.has(suffix)) {
    return `/fine_tuning/jobs/{id}/${suffix}` as ApiEndpoint;
  }
  return '/fine_tuning/jobs/{id}/other';
}

// Free-form reasons (Slack error codes, refusal reasons) are kept only when they look like a
// code; anything else is counted as `other` so an odd value cannot create series at will.
const CODE_LIKE = /^[a-z][a-z0-9_]{0,39}$/;
const asCode = (value: string): string => (CODE_LIKE.test(value) ? value : 'other');

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Slack must see an ack within 3 s; the buckets are dense below that. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const API_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SWEEP_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Builds a fresh registry with Node's process metrics and every ftops series. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const commands = new Counter({
    name: 'ftops_commands_total',
    help: '/ft commands handled, by verb and outcome',
    labelNames: ['verb', 'outcome'] as const,
    registers,
  });
  const ack = new Histogram({
    name: 'ftops_slack_ack_seconds',
    help: 'Time from receiving a Slack request to acknowledging it',
    labelNames: ['kind'] as const,
    buckets: ACK_BUCKETS,
    registers,
  });
  const apiRequests = new Counter({
    name: 'ftops_api_requests_total',
    help: 'Fine-tuning API attempts, by resource, route template, method and HTTP status (0: no answer)',
    labelNames: ['resource', 'endpoint', 'method', 'status'] as const,
    registers,
  });
  const apiRetries = new Counter({
    name: 'ftops_api_retries_total',
    help: 'Fine-tuning API attempts that were retries of an earlier attempt',
    labelNames: ['resource', 'endpoint', 'method'] as const,
    registers,
  });
  const apiDuration = new Histogram({
    name: 'ftops_api_request_duration_seconds',
    help: 'Duration of one fine-tuning API attempt',
    labelNames: ['resource', 'endpoint', 'method'] as const,
    buckets: API_BUCKETS,
    registers,
  });
  const sweepDuration = new Histogram({
    name: 'ftops_sweep_duration_seconds',
    help: 'Duration of one poller sweep, by resource and outcome',
    labelNames: ['resource', 'outcome'] as const,
    buckets: SWEEP_BUCKETS,
    registers,
  });
  const sweepJobs = new Gauge({
    name: 'ftops_sweep_jobs_read',
    help: 'Jobs read from the fine-tuning API by the last sweep of each resource in this process',
    labelNames: ['resource'] as const,
    registers,
  });
  const announcementsSent = new Counter({
    name: 'ftops_announcements_sent_total',
    help: 'Status-change announcements posted to Slack',
    registers,
  });
  const announcementsFailed = new Counter({
    name: 'ftops_announcements_failed_total',
    help: 'Announcements that could not be posted, by Slack error code',
    labelNames: ['reason'] as const,
    registers,
  });
  const approvals = new Counter({
    name: 'ftops_approvals_total',
    help: 'Approval request events, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const refused = new Counter({
    name: 'ftops_slack_requests_refused_total',
    help: 'Requests to /slack/events refused before dispatch, by reason',
    labelNames: ['reason'] as const,
    registers,
  });

  let queueDepthSource: (() => Promise<QueueDepths>) | undefined;
  new Gauge({
    name: 'ftops_queue_depth',
    help: 'Jobs waiting or delayed in each BullMQ queue, read on scrape',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      if (!queueDepthSource) return;
      // A scrape must not fail because Redis is briefly away: the series is left out instead.
      const depths = await queueDepthSource().catch(() => undefined);
      this.reset();
      if (!depths) return;
      this.set({ queue: 'sweep' }, depths.sweep);
      this.set({ queue: 'notify' }, depths.notify);
    },
  });

  return {
    registry,
    commandHandled(verb, outcome) {
      commands.inc({ verb: isVerb(verb) ? (verb satisfies Verb) : 'unknown', outcome });
    },
    observeAck(seconds, kind = 'command') {
      ack.observe({ kind }, seconds);
    },
    observeApiRequest(info) {
      const endpoint = normaliseEndpoint(info.path);
      const method = KNOWN_METHODS.has(info.method.toUpperCase())
        ? info.method.toUpperCase()
        : 'OTHER';
      const status =
        Number.isInteger(info.status) && info.status >= 0 && info.status < 600
          ? String(info.status)
          : '0';
      // Names come from the validated config (lowercase, digits, -), so the label stays bounded.
      const resource = info.resource ?? 'default';
      apiRequests.inc({ resource, endpoint, method, status });
      apiDuration.observe({ resource, endpoint, method }, info.durationMs / 1000);
      if (info.attempt > 1) apiRetries.inc({ resource, endpoint, method });
    },
    sweepCompleted({ resource = 'default', seconds, jobsRead, ok = true }) {
      sweepDuration.observe({ resource, outcome: ok ? 'ok' : 'error' }, seconds);
      sweepJobs.set({ resource }, jobsRead);
    },
    announcementSent() {
      announcementsSent.inc();
    },
    announcementFailed(reason = 'error') {
      announcementsFailed.inc({ reason: asCode(reason) });
    },
    approval(outcome) {
      approvals.inc({ outcome });
    },
    slackRequestRefused(reason) {
      refused.inc({ reason: asCode(reason) });
    },
    setQueueDepthSource(source) {
      queueDepthSource = source;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
