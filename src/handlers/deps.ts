import type { Logger } from 'pino';
import type { FineTuningClient } from '../api/types.ts';
import type { AuditLog } from '../store/audit.ts';
import type { JobStatusStore } from '../store/job-status.ts';
import type { Subscriptions } from '../store/subscriptions.ts';
import type { JobLink } from '../views/job-link.ts';
import type { ApprovalPolicyConfig, ApprovalService, RoleCheck } from './approval/index.ts';

/** Everything the Slack listeners work with; built once in `src/bot/compose.ts`. */
export interface HandlerDeps {
  api: FineTuningClient;
  /** The API's host, to say where a job was looked for (e.g. `myres.openai.azure.com`). */
  apiHost?: string;
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
}

/** Who is asking, and where: read from the signed payload, never from a button value. */
export interface Caller {
  userId: string;
  channelId: string;
  correlationId: string;
}
