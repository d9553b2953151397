import type { Logger } from 'pino';
import type { AccessConfig, PeopleList } from '../access/index.ts';
import type { FineTuningJob } from '../api/schemas.ts';
import type { FineTuningClient } from '../api/types.ts';
import type { AuditLog } from '../store/audit.ts';
import type { JobStatusStore } from '../store/job-status.ts';
import type { Subscriptions } from '../store/subscriptions.ts';
import type { TrainingSeries } from '../training/types.ts';
import type { JobLink } from '../views/job-link.ts';
import type { ApprovalPolicyConfig, ApprovalService, RoleCheck } from './approval/index.ts';

/** A resource that did not answer, and what went wrong in words fit for a user. */
export interface ResourceFailure {
  resource: string;
  message: string;
  error: unknown;
}

/** The configured resources as the handlers see them: by name, never how they are built. */
export interface ResourceLookup {
  /** Every resource's name, in the order configured. */
  readonly names: readonly string[];
  /** Where a resource's API is, for "not found at …" (e.g. `myres.openai.azure.com`). */
  hostOf(resource: string): string;
  kindOf(resource: string): 'azure' | 'openai';
  /** The approval rules on a resource, for help, whoami and policy. */
  approvalOf(resource: string): ApprovalPolicyConfig;
  /** Whether a user holds the approver role on a resource (its own approver list). */
  roleOn(resource: string, userId: string): Promise<RoleCheck>;
  /** The newest `limit` jobs of `resources`, merged newest first; each failing one is named. */
  list(
    resources: readonly string[],
    limit: number,
  ): Promise<{ jobs: FineTuningJob[]; hasMore: boolean; failed: ResourceFailure[] }>;
  /**
   * The keys of job `id` on those of `resources` that have it: the poller's index answers
   * when it knows the job, otherwise every resource is asked at once.
   */
  find(
    resources: readonly string[],
    id: string,
  ): Promise<{ keys: string[]; failed: ResourceFailure[] }>;
}

/** Everything the Slack listeners work with; built once in `src/bot/compose.ts`. */
export interface HandlerDeps {
  /** Any job key (`<resource>:ftjob-…`, or bare for `default`) goes to its resource. */
  api: FineTuningClient;
  resources: ResourceLookup;
  /** Who may use ftops and what each channel may do (FT_CONFIG's `access`). */
  access: AccessConfig;
  /** Whether a user is one of `people` (listed, or in a listed user group); fails closed. */
  isAmong(userId: string, people: PeopleList): Promise<boolean>;
  /** The job's page in the provider's portal (FT_JOB_URL), when known. */
  jobLink?: (jobId: string) => JobLink | undefined;
  approvals: ApprovalService;
  roles: { check(userId: string): Promise<RoleCheck> };
  subscriptions: Subscriptions;
  audit: Pick<AuditLog, 'latest' | 'refusals'>;
  approvalConfig: ApprovalPolicyConfig;
  logger: Logger;
  clock: () => number;
  /**
   * The poller's last known statuses. When given, watching a job records the status just read
   * as its baseline, so a change before the next sweep is announced instead of being taken
   * for the poller's silent first sight.
   */
  statuses?: Pick<JobStatusStore, 'recordFirstSight'>;
  /** Told of every handled command, for metrics. */
  onCommand?: (verb: string, outcome: 'ok' | 'user_error' | 'error') => void;
  /** Renders a job's training curves and posts the PNG into a channel or a thread. */
  charts: ChartPoster;
  /** The live card's progress: the job's training series and price; no progress without it. */
  training?: TrainingProgress;
  /**
   * When set (FT_ANSWER_IN=worker), commands and Approve clicks are acked here and handed to
   * a worker, which answers through the response_url; rejects when Redis does not take them.
   */
  handoff?: Handoff;
}

/** What posting a chart did: posted (with how many points), or nothing to draw yet. */
export type ChartPosted =
  | { posted: true; points: number }
  | { posted: false; reason: 'no_metrics' };

export interface ChartPoster {
  /** Reads what is new of the job's metrics, renders them and uploads the image. */
  post(input: {
    jobKey: string;
    channel: string;
    threadTs?: string;
    /** The job as the caller just read it; read here when absent. */
    job?: FineTuningJob;
  }): Promise<ChartPosted>;
}

/** What the job card's progress section reads, by job key. */
export interface TrainingProgress {
  /**
   * Reads what is new of the job's metrics into its stored series (only the events since the
   * last read) and returns the series; null when there is none.
   */
  progressOf(jobKey: string, job: FineTuningJob): Promise<TrainingSeries | null>;
  /** Dollars per million training tokens on the job's resource for its model, when configured. */
  priceOf?(jobKey: string, model: string | null | undefined): number | undefined;
}

/** Work handed from the process that acked it to a worker, with where to answer. */
export type HandedOff =
  | { kind: 'command'; caller: Caller; text: string; responseUrl: string }
  | { kind: 'approve'; caller: Caller; requestId: string; responseUrl: string };

export interface Handoff {
  command(work: Omit<Extract<HandedOff, { kind: 'command' }>, 'kind'>): Promise<void>;
  approve(work: Omit<Extract<HandedOff, { kind: 'approve' }>, 'kind'>): Promise<void>;
}

/** Who is asking, and where: read from the signed payload, never from a button value. */
export interface Caller {
  userId: string;
  channelId: string;
  correlationId: string;
}
