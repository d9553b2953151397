import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { isJobAction } from '../api/actions.ts';
import { isValidJobId } from '../api/job-id.ts';
import type { FineTuningJob } from '../api/schemas.ts';
import type { FineTuningClient } from '../api/types.ts';
import {
  type ApprovalRequest,
  ApprovalStore,
  type GateAction,
  type ModalRef,
} from '../store/approvals.ts';
import { type AuditEntry, type AuditEvent, AuditLog } from '../store/audit.ts';
import type { Keys } from '../store/keys.ts';
import { RedisUnavailableError } from '../store/redis.ts';
import { errorText } from '../util/error-text.ts';
import { code, escapeInline, truncate } from '../views/mrkdwn.ts';
import type { MessageBody } from '../views/types.ts';
import { REASON_MAX } from '../vocabulary/index.ts';
import {
  alreadyDone,
  type ClickRefusal,
  canActOn,
  canClick,
  decideRequest,
  describeApiCall,
} from './approval-policy.ts';
import type { RoleCheck } from './roles.ts';

/** A logger for reading the audit trail, which logs nothing when it only reads. */
const silent = { info: () => undefined };

/**
 * The approval gate. It takes a request for a pause, resume or cancel, decides whether it
 * runs now or waits for approvers, posts the request for them, counts their clicks through
 * the store's atomic vote, and executes the action exactly once. Everything it needs to know
 * about a request is read back from Redis by ID, never from a button, so a new process (after
 * a restart or on another replica) decides a request made by an old one. It returns what to
 * tell the user; the Bolt listeners send it.
 */

/** The approval part of the configuration (`config.approval`). */
export interface ApprovalPolicyConfig {
  readonly approvers: { readonly users: readonly string[]; readonly groups: readonly string[] };
  readonly gatedActions: readonly string[];
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

/** Everything the gate works with. */
export interface ApprovalServiceDeps {
  redis: Redis;
  keys: Keys;
  api: FineTuningClient;
  slack: SlackChatApi;
  roles: { check(userId: string): Promise<RoleCheck> };
  config: ApprovalPolicyConfig;
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

const SLACK_ID = /^[A-Z0-9]+$/;

/** The approval gate; see the module comment. */
export class ApprovalService {
  readonly #d: ApprovalServiceDeps;
  readonly #store: ApprovalStore;

  constructor(deps: ApprovalServiceDeps) {
    this.#d = deps;
    this.#store = new ApprovalStore({ redis: deps.redis, keys: deps.keys });
  }

  /** Handles a request for an action: refuse, describe (dry run), run now, or ask approvers. */
  async request(input: RequestInput): Promise<RequestResult> {
    try {
      return await this.#request(input);
    } catch (err) {
      if (err instanceof RedisUnavailableError)
        return { kind: 'error', ephemeral: reply(err.message) };
      throw err;
    }
  }

  /** Handles an Approve or Deny click on request `requestId` by `clicker`. */
  async click(input: {
    requestId: string;
    clicker: string;
    vote: 'approve' | 'deny';
  }): Promise<ClickResult> {
    try {
      return await this.#click(input);
    } catch (err) {
      if (err instanceof RedisUnavailableError)
        return { kind: 'error', ephemeral: reply(err.message) };
      throw err;
    }
  }

  /** Requests still waiting for approval, soonest expiry first. */
  listPending(): Promise<ApprovalRequest[]> {
    return this.#store.listPending(this.#d.clock());
  }

  /** Expires overdue requests, removes their buttons and tells their requesters; returns them. */
  async expireDue(): Promise<ApprovalRequest[]> {
    const now = this.#d.clock();
    const expired = await this.#store.expireDue(now);
    for (const request of expired) await this.#afterExpiry(request, now, 'system');
    return expired;
  }

  /**
   * Finishes requests left in `approved` for longer than the recovery grace, as when the
   * process that approved one died before recording its outcome. Each is taken over by exactly
   * one caller however many processes sweep; the job is read again and the action sent only if
   * its effect is not already visible; then the outcome is recorded and audited as recovered,
   * and the requester and the request message are told as after a normal execution. Returns
   * what this call finished.
   */
  async recoverStuck(): Promise<Array<{ request: ApprovalRequest; result: ClickResult }>> {
    const grace = this.#d.recoveryGraceMs ?? DEFAULT_RECOVERY_GRACE_MS;
    const taken = await this.#store.takeStuckDue(this.#d.clock(), grace);
    const done: Array<{ request: ApprovalRequest; result: ClickResult }> = [];
    for (const request of taken) {
      const approver = request.decidedBy ?? 'system';
      this.#d.logger?.warn(
        {
          requestId: request.id,
          jobId: request.jobId,
          action: request.action,
          state: request.state,
        },
        request.state === 'approved'
          ? 'recovering an approved request left without an outcome'
          : 'recovering an approved request whose outcome was never told',
      );
      try {
        const result =
          request.state === 'approved'
            ? await this.#executeApproved(request, approver, true)
            : await this.#report(request, approver, {
                ok: request.state === 'executed',
                outcome: request.outcome ?? '',
                job: null,
                recovered: true,
              });
        done.push({ request, result });
      } catch (err) {
        // Still leased: the next sweep after another grace tries again.
        this.#d.logger?.warn({ err: errorText(err), requestId: request.id }, 'recovery failed');
      }
    }
    return done;
  }

  /**
   * Stores what a reason modal is about and returns an opaque reference for its
   * `private_metadata`. Throws `RedisUnavailableError` when Redis is down.
   */
  async createModalRef(ref: {
    action: string;
    jobId: string;
    user: string;
    channel: string;
  }): Promise<string> {
    if (!isJobAction(ref.action)) throw new TypeError(`not a gated action: ${ref.action}`);
    if (!isValidJobId(ref.jobId)) throw new TypeError('not a job ID');
    return this.#store.saveModalRef({
      action: ref.action,
      jobId: ref.jobId,
      user: ref.user,
      channel: ref.channel,
    });
  }

  /** What a submitted modal was about; null when the reference is unknown, used, or not `user`'s. */
  resolveModalRef(ref: string, user: string): Promise<ModalRef | null> {
    return this.#store.takeModalRef(ref, user);
  }

  async #request(input: RequestInput): Promise<RequestResult> {
    const { requester, channel } = input;
    if (!isJobAction(input.action)) {
      return {
        kind: 'invalid',
        ephemeral: reply(`${code(input.action)} is not pause, resume or cancel.`),
      };
    }
    const action = input.action;
    if (!isValidJobId(input.jobId)) {
      return {
        kind: 'invalid',
        ephemeral: reply(
          `${code(input.jobId) || 'That'} is not a fine-tuning job ID; they look like \`ftjob-abc123\`.`,
        ),
      };
    }
    const reason = truncate((input.reason ?? '').trim(), REASON_MAX);
    let job: FineTuningJob;
    try {
      job = await this.#d.api.getJob(input.jobId);
    } catch (err) {
      return { kind: 'error', ephemeral: reply(errorText(err)) };
    }
    const allowed = canActOn(action, job.status, job.id);
    const isGated = this.#d.config.gatedActions.includes(action);
    const role: RoleCheck = isGated
      ? await this.#d.roles.check(requester)
      : { approver: false, problems: [] };
    const decision = decideRequest({
      action,
      isGated,
      requesterIsApprover: role.approver,
      selfService: this.#d.config.selfService,
    });

    if (input.dryRun) {
      return {
        kind: 'dry-run',
        ephemeral: reply(this.#describeDryRun(action, job, allowed, decision, role, channel)),
      };
    }
    if (!allowed.ok) return { kind: 'refused', ephemeral: reply(`${allowed.reason}.`) };

    if (decision !== 'needs-approval') {
      const selfAuth = decision === 'run-now-self-authorised';
      const result = await this.#callApi(action, job, requester);
      await this.#audit({
        event: result.ok ? (selfAuth ? 'self_authorised' : 'ran_ungated') : 'failed',
        who: requester,
        action,
        jobId: job.id,
        outcome: result.outcome,
      });
      if (!result.ok) return { kind: 'failed', ephemeral: reply(result.outcome) };
      await this.#watch(channel, job.id);
      const how = selfAuth
        ? ' Self-authorised: you are an approver and self-service is on, so no second approval was needed.'
        : '';
      return { kind: 'executed', ephemeral: reply(`${result.outcome}.${how}`) };
    }

    const { users, groups } = this.#d.config.approvers;
    if (users.length === 0 && groups.length === 0) {
      return {
        kind: 'refused',
        ephemeral: reply(
          `${capitalise(action)} needs approval, but nobody can approve: FT_APPROVER_IDS is empty. Ask whoever runs ftops to set it.`,
        ),
      };
    }

    const now = this.#d.clock();
    const request = await this.#store.create(
      {
        action,
        jobId: job.id,
        requester,
        reason,
        channel,
        jobStatusAtRequest: job.status,
        approvalsRequired: this.#d.config.approvalsRequired,
        ttlMinutes: this.#d.config.ttlMinutes,
      },
      now,
    );
    const approvalChannel = this.#d.config.channel ?? channel;
    const mention = this.#mention();
    const view = this.#d.views.renderRequest(request, job, now, { mention });
    let ts: string | undefined;
    try {
      const posted = await this.#d.slack.chat.postMessage({
        channel: approvalChannel,
        // The mention must be in `text` for Slack to notify the approvers; add it unless the
        // view already put it there.
        text: mention.split(' ').every((m) => view.text.includes(m))
          ? view.text
          : `${mention} ${view.text}`,
        ...(view.blocks ? { blocks: view.blocks } : {}),
      });
      ts = posted.ts;
    } catch (err) {
      const why = slackErrorText(err, approvalChannel);
      await this.#store.abandon(request.id, `Could not post the request: ${why}`, now);
      await this.#audit({
        event: 'failed',
        who: requester,
        action,
        jobId: job.id,
        requestId: request.id,
        outcome: `request not posted: ${why}`,
      });
      return {
        kind: 'failed',
        ephemeral: reply(`Your request could not be posted: ${why}`),
        requestId: request.id,
      };
    }
    if (ts) await this.#store.setMessage(request.id, approvalChannel, ts);
    await this.#audit({
      event: 'requested',
      who: requester,
      action,
      jobId: job.id,
      requestId: request.id,
      outcome: `waiting for ${request.approvalsRequired} approval(s) in ${approvalChannel}`,
    });
    const note = role.approver
      ? ' You are an approver, but not of your own request: another approver must decide.'
      : '';
    return {
      kind: 'pending',
      requestId: request.id,
      ephemeral: reply(
        `Your request to ${action} ${code(job.id)} is waiting for approval in <#${approvalChannel}>. It expires ${slackDate(request.expiresAt)}.${note}`,
      ),
    };
  }

  async #click(input: {
    requestId: string;
    clicker: string;
    vote: 'approve' | 'deny';
  }): Promise<ClickResult> {
    const { requestId, clicker, vote } = input;
    const request = await this.#store.get(requestId);
    if (!request) {
      await this.#audit({
        event: 'refused',
        who: clicker,
        ...(requestId.length <= 64 ? { requestId } : {}),
        outcome: 'not_found',
      });
      return {
        kind: 'not_found',
        ephemeral: reply('This approval request no longer exists, so nothing was done.'),
      };
    }
    const role = await this.#d.roles.check(clicker);
    const now = this.#d.clock();
    const check = canClick({ request, clicker, clickerIsApprover: role.approver, now });
    if (!check.ok) {
      if (check.reason === 'expired' && (await this.#store.expire(request.id, now))) {
        const expired = await this.#store.get(request.id);
        if (expired) await this.#afterExpiry(expired, now, clicker);
      }
      await this.#audit({
        event: 'refused',
        who: clicker,
        action: request.action,
        jobId: request.jobId,
        requestId: request.id,
        outcome: [`${vote}: ${check.reason}`, ...role.problems].join('; '),
      });
      return {
        kind: check.reason === 'expired' ? 'expired' : 'refused',
        refusal: check.reason,
        ephemeral: reply(this.#refusalText(check.reason, request, role)),
      };
    }

    const result = await this.#store.decide({
      id: request.id,
      clicker,
      vote,
      now,
      approvalsRequired: request.approvalsRequired,
    });
    const base = {
      who: clicker,
      action: request.action,
      jobId: request.jobId,
      requestId: request.id,
    };
    switch (result.kind) {
      case 'recorded': {
        await this.#audit({
          ...base,
          event: 'vote_recorded',
          outcome: `${result.count} of ${request.approvalsRequired}`,
        });
        const fresh = await this.#store.get(request.id);
        if (fresh) await this.#refresh(fresh, null, now);
        const left = request.approvalsRequired - result.count;
        return {
          kind: 'recorded',
          ephemeral: reply(`Your approval is recorded; ${left} more approver(s) needed.`),
        };
      }
      case 'duplicate': {
        const left = request.approvalsRequired - result.count;
        return {
          kind: 'duplicate',
          ephemeral: reply(
            `You have already approved this; it still needs ${left} more approver(s) other than you.`,
          ),
        };
      }
      case 'denied': {
        await this.#audit({ ...base, event: 'denied', outcome: 'denied' });
        const fresh = (await this.#store.get(request.id)) ?? {
          ...request,
          state: 'denied' as const,
        };
        await this.#refresh(fresh, null, now);
        await this.#tellRequester(
          fresh,
          `<@${fresh.requester}> your request to ${fresh.action} ${code(fresh.jobId)} was denied by <@${clicker}>. Nothing was changed.`,
        );
        return {
          kind: 'denied',
          ephemeral: reply(`You denied the ${request.action} of ${code(request.jobId)}.`),
        };
      }
      case 'expired': {
        const fresh = await this.#store.get(request.id);
        if (fresh) await this.#afterExpiry(fresh, now, clicker);
        return {
          kind: 'expired',
          refusal: 'expired',
          ephemeral: reply(this.#refusalText('expired', request, role)),
        };
      }
      case 'is_requester':
        return {
          kind: 'refused',
          refusal: 'is_requester',
          ephemeral: reply(this.#refusalText('is_requester', request, role)),
        };
      case 'already_decided': {
        const fresh = (await this.#store.get(request.id)) ?? { ...request, state: result.state };
        await this.#audit({
          ...base,
          event: 'refused',
          outcome: `${vote}: already_decided:${result.state}`,
        });
        return {
          kind: 'refused',
          refusal: 'already_decided',
          ephemeral: reply(this.#refusalText('already_decided', fresh, role)),
        };
      }
      case 'not_found':
        return {
          kind: 'not_found',
          ephemeral: reply('This approval request no longer exists, so nothing was done.'),
        };
      case 'approved':
        await this.#audit({
          ...base,
          event: 'approved',
          outcome: `${result.count} of ${request.approvalsRequired}`,
        });
        return this.#executeApproved(request, clicker);
    }
  }

  /**
   * Runs an approved request; only the caller that got `approved` from the store comes here,
   * or (`recovered`) the one that took it over from a process that died while running it.
   */
  async #executeApproved(
    request: ApprovalRequest,
    approver: string,
    recovered = false,
  ): Promise<ClickResult> {
    const { action, jobId } = request;
    let job: FineTuningJob | null = null;
    let readError = '';
    let ok: boolean;
    let outcome: string;
    try {
      job = await this.#d.api.getJob(jobId);
    } catch (err) {
      readError = errorText(err);
    }
    if (!job) {
      ok = false;
      outcome = `Could not read ${jobId} before acting, so nothing was sent: ${readError}`;
    } else if (alreadyDone(action, job.status)) {
      ok = true;
      outcome = `${jobId} is already ${job.status}, so nothing was sent`;
    } else {
      const allowed = canActOn(action, job.status, job.id);
      if (!allowed.ok) {
        ok = false;
        outcome = `${allowed.reason}; nothing was sent`;
      } else {
        const result = await this.#callApi(action, job, request.requester);
        ok = result.ok;
        outcome = result.outcome;
        job = result.job ?? job;
      }
    }
    const recorded = ok
      ? await this.#store.markExecuted(request.id, outcome, this.#d.clock())
      : await this.#store.markFailed(request.id, outcome, this.#d.clock());
    if (!recorded && recovered) {
      // The original execution recorded its outcome after all while this one ran: it tells
      // everyone (or, if it dies before that, a later sweep does).
      return {
        kind: ok ? 'executed' : 'failed',
        ephemeral: reply('This request was finished elsewhere meanwhile.'),
      };
    }
    return this.#report(request, approver, { ok, outcome, job, recovered });
  }

  /**
   * Audits an outcome that is recorded, updates the request message and tells the requester;
   * then the request is finished. A process that dies before the end leaves it to the recovery
   * sweep, which comes here again (so, rarely, the requester is told twice, never left untold).
   */
  async #report(
    request: ApprovalRequest,
    approver: string,
    r: { ok: boolean; outcome: string; job: FineTuningJob | null; recovered: boolean },
  ): Promise<ClickResult> {
    const { action, jobId } = request;
    const { ok, outcome, recovered } = r;
    let job = r.job;
    // A recovery that only reports has not read the job yet; an execution has (or could not).
    if (!job && recovered) job = await this.#d.api.getJob(jobId).catch(() => null);
    const now = this.#d.clock();
    const note = recovered
      ? ' (finished by ftops after the process that approved it stopped before recording the outcome)'
      : '';
    // A recovery may follow a process that died part-way through this: what it already did
    // (the audit entry, the thread reply) is not done twice.
    if (!(recovered && (await this.#outcomeAudited(request)))) {
      await this.#audit({
        event: ok ? 'executed' : 'failed',
        who: approver,
        action,
        jobId,
        requestId: request.id,
        outcome: recovered ? `recovered after the approving process stopped: ${outcome}` : outcome,
      });
    }
    const fresh = (await this.#store.get(request.id)) ?? {
      ...request,
      state: ok ? ('executed' as const) : ('failed' as const),
      outcome,
    };
    await this.#refresh(fresh, job, now);
    if (!(recovered && fresh.told)) {
      const told = await this.#tellRequester(
        fresh,
        ok
          ? `<@${request.requester}> your request to ${action} ${code(jobId)} was approved by <@${approver}>. ${escapeInline(outcome)}.${note}`
          : `<@${request.requester}> your request to ${action} ${code(jobId)} was approved by <@${approver}>, but it failed: ${escapeInline(outcome)}${note}`,
      );
      if (told) await this.#store.markTold(request.id);
    }
    if (ok) await this.#watch(request.channel, jobId);
    await this.#store.markReported(request.id);
    return {
      kind: ok ? 'executed' : 'failed',
      ephemeral: reply(
        ok
          ? `Approved. ${escapeInline(outcome)}.`
          : `Approved, but it failed: ${escapeInline(outcome)}`,
      ),
    };
  }

  async #callApi(
    action: GateAction,
    before: FineTuningJob,
    actor: string,
  ): Promise<{ ok: boolean; outcome: string; job?: FineTuningJob }> {
    const api = this.#d.api;
    const jobId = before.id;
    try {
      // Recorded before the call, so the poller can name who did it however fast it sees it,
      // and knows the status it changed from.
      await this.#d.onActing?.(before, { userId: actor, action, at: this.#d.clock() });
      const job =
        action === 'pause'
          ? await api.pauseJob(jobId)
          : action === 'resume'
            ? await api.resumeJob(jobId)
            : await api.cancelJob(jobId);
      return {
        ok: true,
        outcome: `${capitalise(action)} sent; ${job.id} is now ${job.status}`,
        job,
      };
    } catch (err) {
      return { ok: false, outcome: errorText(err) };
    }
  }

  async #afterExpiry(request: ApprovalRequest, now: number, who: string): Promise<void> {
    await this.#audit({
      event: 'expired',
      who,
      action: request.action,
      jobId: request.jobId,
      requestId: request.id,
      outcome: 'expired without a decision',
    });
    await this.#refresh(request, null, now);
    await this.#tellRequester(
      request,
      `<@${request.requester}> your request to ${request.action} ${code(request.jobId)} expired without a decision. Nothing was changed; ask again if it is still needed.`,
    );
  }

  #describeDryRun(
    action: GateAction,
    job: FineTuningJob,
    allowed: { ok: true } | { ok: false; reason: string },
    decision: ReturnType<typeof decideRequest>,
    role: RoleCheck,
    channel: string,
  ): string {
    const { approvalsRequired } = this.#d.config;
    const approval =
      decision === 'run-now'
        ? `not needed: ${action} is not gated`
        : decision === 'run-now-self-authorised'
          ? 'not needed: you are an approver and self-service is on, so it would run at once (self-authorised)'
          : `${approvalsRequired} approver(s) other than you, from ${this.#mention() || 'nobody (FT_APPROVER_IDS is empty)'}, in <#${this.#d.config.channel ?? channel}>`;
    const lines = [
      `*Dry run* of ${action} ${code(job.id)}; nothing was changed.`,
      `• State now: ${code(job.status)}`,
      `• Allowed now: ${allowed.ok ? 'yes' : `no: ${escapeInline(allowed.reason)}`}`,
      `• Approval: ${approval}`,
      `• API call: ${code(describeApiCall(action, job.id))}`,
    ];
    if (role.problems.length) lines.push(`• Note: ${role.problems.map(escapeInline).join(' ')}`);
    return lines.join('\n');
  }

  #refusalText(reason: ClickRefusal, request: ApprovalRequest, role: RoleCheck): string {
    switch (reason) {
      case 'not_approver': {
        const why = role.problems.length ? ` ${role.problems.map(escapeInline).join(' ')}` : '';
        const who = this.#mention();
        return `Only approvers${who ? ` (${who})` : ''} can decide this request, so your click was not counted.${why}`;
      }
      case 'is_requester':
        return 'You asked for this, so you cannot decide it: another approver must (four eyes).';
      case 'expired':
        return `This request expired ${slackDate(request.expiresAt)}, so nothing was done. Ask again with \`/ft ${request.action} ${request.jobId}\` if it is still needed.`;
      case 'already_decided': {
        const by = request.decidedBy ? ` by <@${request.decidedBy}>` : '';
        return `This request was already ${request.state}${by}, so your click changed nothing.`;
      }
    }
  }

  #mention(): string {
    const { users, groups } = this.#d.config.approvers;
    const safeGroups = groups.filter((g) => SLACK_ID.test(g));
    if (safeGroups.length) return safeGroups.map((g) => `<!subteam^${g}>`).join(' ');
    return users
      .filter((u) => SLACK_ID.test(u))
      .map((u) => `<@${u}>`)
      .join(' ');
  }

  async #refresh(request: ApprovalRequest, job: FineTuningJob | null, now: number): Promise<void> {
    if (!request.approvalChannel || !request.messageTs) return;
    const view = this.#d.views.renderRequest(request, job, now, { mention: this.#mention() });
    try {
      await this.#d.slack.chat.update({
        channel: request.approvalChannel,
        ts: request.messageTs,
        text: view.text,
        blocks: view.blocks ?? [],
      });
    } catch (err) {
      this.#d.logger?.warn(
        { err: errorText(err), requestId: request.id },
        'approval message update failed',
      );
    }
  }

  /** True when the message was posted. */
  async #tellRequester(request: ApprovalRequest, text: string): Promise<boolean> {
    try {
      await this.#d.slack.chat.postMessage(
        request.approvalChannel && request.messageTs
          ? { channel: request.approvalChannel, thread_ts: request.messageTs, text }
          : { channel: request.channel, text },
      );
      return true;
    } catch (err) {
      this.#d.logger?.warn(
        { err: errorText(err), requestId: request.id },
        'could not tell the requester',
      );
      return false;
    }
  }

  /** Whether the audit trail already holds this request's outcome (read only when recovering). */
  async #outcomeAudited(request: ApprovalRequest): Promise<boolean> {
    const reader = new AuditLog({ redis: this.#d.redis, keys: this.#d.keys, logger: silent });
    const entries = await reader.latest({ jobId: request.jobId, count: 200 }).catch(() => []);
    return entries.some(
      (e) => e.requestId === request.id && (e.event === 'executed' || e.event === 'failed'),
    );
  }

  async #watch(channel: string, jobId: string): Promise<void> {
    try {
      await this.#d.onWatch?.(channel, jobId);
    } catch (err) {
      this.#d.logger?.warn({ err: errorText(err), channel, jobId }, 'could not watch the job');
    }
  }

  /** Audits; once the action has happened, a failing audit must not turn success into an error. */
  async #audit(
    entry: { event: AuditEvent; who: string } & Partial<Omit<AuditEntry, 'id' | 'at'>>,
  ): Promise<void> {
    try {
      await this.#d.audit.append({ ...entry, at: this.#d.clock() });
    } catch (err) {
      this.#d.logger?.warn({ err: errorText(err), event: entry.event }, 'audit append failed');
    }
  }
}

function reply(text: string): MessageBody {
  return { text };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A Slack date token: every reader sees it in their own time zone. */
function slackDate(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `<!date^${s}^{date_short_pretty} at {time}|at ${new Date(ms).toISOString()}>`;
}

function slackErrorText(err: unknown, channel: string): string {
  const code = (err as { data?: { error?: unknown } } | null)?.data?.error;
  if (code === 'not_in_channel' || code === 'channel_not_found') {
    return `ftops is not in <#${channel}>; invite it there (\`/invite @ftops\`) and ask again.`;
  }
  if (code === 'is_archived')
    return `<#${channel}> is archived; set FT_APPROVAL_CHANNEL to a live channel.`;
  return `Slack answered ${typeof code === 'string' ? code : errorText(err)}.`;
}
