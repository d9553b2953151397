import type { Logger } from 'pino';
import type { FineTuningJob } from '../api/schemas.ts';
import type { FineTuningClient } from '../api/types.ts';
import type { Actor, JobStatusStore } from '../store/job-status.ts';
import type { Subscriptions } from '../store/subscriptions.ts';
import type { NotifyQueue } from './notify-queue.ts';
import type { KnownState } from './pending-jobs.ts';

/** What the sweeper needs; all injected so a test builds it with the emulator and Redis. */
export interface SweeperDeps {
  client: Pick<FineTuningClient, 'listJobs' | 'getJob'>;
  subscriptions: Subscriptions;
  statuses: JobStatusStore;
  /** Reads the last ftops actor of a job (`readActor` bound to Redis and keys). */
  actorOf: (jobId: string) => Promise<Actor | null>;
  notify: Pick<NotifyQueue, 'enqueue'>;
  now?: () => number;
  pageSize?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Which job keys this sweeper reads (its resource's); every watched job when absent. */
  owns?: (jobId: string) => boolean;
  /** Whether a channel may hear about a job (the channel rules); every watcher when absent. */
  mayHear?: (channel: string, jobId: string) => boolean;
  /** Told of each finished sweep's report (the resource's down/back notices). */
  afterSweep?: (report: SweepReport) => Promise<void>;
  /** Called after each transition is recorded and before it is enqueued (crash tests). */
  onTransitionRecorded?: (jobId: string, seq: number) => Promise<void> | void;
}

/** What one sweep did, for logs, metrics and tests. */
export interface SweepReport {
  pages: number;
  singleReads: number;
  /** Jobs recorded for the first time (silently). */
  firstSights: number;
  /** Transitions this sweep recorded. */
  transitions: number;
  /** Transitions handed to the notify queue (this sweep's and any left over). */
  enqueued: number;
  /** Watched jobs that could not be read; they are tried again next sweep. */
  unread: string[];
  /** Jobs the API answered 404 for: announced gone once, then their watches dropped. */
  gone: string[];
  /** Jobs finished over a month ago whose watches and status this sweep dropped. */
  retired: string[];
}

/** What the sweep's parts share: the injected deps, the clock and the page size. */
export interface SweepContext {
  readonly deps: SweeperDeps;
  readonly now: () => number;
  readonly pageSize: number;
}

/** One job as a read returned it, with what Redis knew of it before (none: never seen). */
export interface Observation {
  job: FineTuningJob;
  prev: KnownState | undefined;
}

export function emptyReport(): SweepReport {
  return {
    pages: 0,
    singleReads: 0,
    firstSights: 0,
    transitions: 0,
    enqueued: 0,
    unread: [],
    gone: [],
    retired: [],
  };
}
