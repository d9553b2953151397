import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { FineTuningJob } from '../../api/schemas.ts';
import type { FineTuningClient } from '../../api/types.ts';
import type { ApprovalRequest, GateAction } from '../../store/approvals.ts';
import type { AuditEntry } from '../../store/audit.ts';
import type { Keys } from '../../store/keys.ts';
import type { MessageBody } from '../../views/types.ts';
import type { ClickRefusal } from './policy.ts';
import type { RoleCheck } from './roles.ts';

/** The gate's ports and results: what it needs from the outside and what it returns. */

/** Who may approve: user IDs and user-group IDs (`FT_APPROVER_IDS`). */
export interface ApproverList {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

/** The approval part of the configuration (`config.approval`): the one declaration of it. */
export interface ApprovalPolicyConfig {
  readonly approvers: ApproverList;
  readonly gatedActions: readonly GateAction[];
  readonly approvalsRequired: number;
  readonly selfService: boolean;
  readonly channel?: string;
  readonly ttlMinutes: number;
}

/** The Slack methods the gate calls: `chat.postMessage` and `chat.update`. */
export type SlackChatApi = Pick<WebClient, 'chat'>;

/** Block Kit builders the gate needs, injected so the gate does not own its looks. */
export interface ApprovalViews {
  /**
   * The approval request message, in whatever state the request is: buttons while pending,
   * who decided, when and with what outcome afterwards. `mention` names the approvers.
   */
  renderRequest(
    request: ApprovalRequest,
    job: FineTuningJob | null,
    now: number,
    ctx?: { mention?: string },
  ): MessageBody;
}

/** A pino-like logger for failures the user does not need to hear about. */
export interface ServiceLogger {
  warn(obj: Record<string, unknown>, msg?: string): void;
}

/** The gate's rules and who approves, for one resource. */
export interface GatePolicy {
  readonly config: ApprovalPolicyConfig;
  readonly roles: { check(userId: string, opts?: { fresh?: boolean }): Promise<RoleCheck> };
}

/** Everything the gate works with. */
export interface ApprovalServiceDeps {
  redis: Redis;
  keys: Keys;
  api: FineTuningClient;
  slack: SlackChatApi;
  /** `fresh` reads group membership from Slack now, past any cache (for decision time). */
  roles: { check(userId: string, opts?: { fresh?: boolean }): Promise<RoleCheck> };
  config: ApprovalPolicyConfig;
  /**
   * The rules and approvers for the resource of job `jobId`, when resources differ; `config`
   * and `roles` above otherwise.
   */
  policyFor?: (jobId: string) => GatePolicy;
  audit: { append(entry: Omit<AuditEntry, 'id'>): Promise<string> };
  views: ApprovalViews;
  clock: () => number;
  /** Subscribes the asking channel to the job, so the poller announces what happens next. */
  onWatch?: (channel: string, jobId: string) => Promise<void>;
  /** Notes who is about to pause, resume or cancel a job, so its announcement can name them. */
  onActing?: (
    job: FineTuningJob,
    actor: { userId: string; action: GateAction; at: number },
  ) => Promise<void>;
  logger?: ServiceLogger;
  /**
   * The job's training numbers to show approvers with a request (step, validation loss,
   * trend); null when it published none. A failure or a slow answer leaves them out.
   */
  evidenceOf?: (job: FineTuningJob) => Promise<string | null>;
  /**
   * How long a request may stay `approved` without an outcome before `recoverStuck` takes it
   * over; default `DEFAULT_RECOVERY_GRACE_MS`.
   */
  recoveryGraceMs?: number;
}

/**
 * Ten minutes. An execution reads the job and then sends the action, each with the client's
 * default 30 s per attempt and up to 4 retries (plus backoff and any `retry-after`), so a live
 * but slow execution can take over five minutes; the grace must be well beyond that, or a
 * recovery could run beside it. A crash is rare, so waiting a little longer to hear is cheap.
 */
export const DEFAULT_RECOVERY_GRACE_MS = 10 * 60_000;

/** What `request` did, and what to tell the requester privately. */
export interface RequestResult {
  kind: 'invalid' | 'refused' | 'error' | 'dry-run' | 'executed' | 'failed' | 'pending';
  ephemeral: MessageBody;
  requestId?: string;
}

/** What `click` did, and what to tell the clicker privately. */
export interface ClickResult {
  kind:
    | 'refused'
    | 'recorded'
    | 'duplicate'
    | 'denied'
    | 'expired'
    | 'executed'
    | 'failed'
    | 'not_found'
    | 'error';
  ephemeral: MessageBody;
  refusal?: ClickRefusal;
}

/** Input of `request`, from `/ft pause|resume|cancel` or the reason modal. */
export interface RequestInput {
  action: string;
  jobId: string;
  requester: string;
  reason?: string;
  /** The channel asked in. */
  channel: string;
  dryRun?: boolean;
}
