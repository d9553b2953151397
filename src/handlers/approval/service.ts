import { isJobAction } from '../../api/actions.ts';
import { NotFoundError } from '../../api/errors.ts';
import type { FineTuningJob } from '../../api/schemas.ts';
import {
  type ApprovalRequest,
  ApprovalStore,
  type DenyRef,
  type ModalRef,
} from '../../store/approvals.ts';
import { ApprovedHolds } from '../../store/holds.ts';
import { RedisUnavailableError } from '../../store/redis.ts';
import { errorText } from '../../util/error-text.ts';
import { reply } from '../../views/approval-replies.ts';
import { escapeInline } from '../../views/mrkdwn.ts';
import { isValidJobKey } from '../../vocabulary/index.ts';
import { checkDeny, click } from './click.ts';
import type { Gate } from './context.ts';
import { executeApproved, report } from './execute.ts';
import { afterClose, afterExpiry } from './notices.ts';
import { canActOn } from './policy.ts';
import { request } from './request.ts';
import {
  type ApprovalServiceDeps,
  type ClickResult,
  DEFAULT_RECOVERY_GRACE_MS,
  type RequestInput,
  type RequestResult,
} from './types.ts';

/**
 * The approval gate. It takes a request for a pause, resume or cancel, decides whether it
 * runs now or waits for approvers, posts the request for them, counts their clicks through
 * the store's atomic vote, and executes the action exactly once. Everything it needs to know
 * about a request is read back from Redis by ID, never from a button, so a new process (after
 * a restart or on another replica) decides a request made by an old one. It returns what to
 * tell the user; the Bolt listeners send it. Its parts: request.ts, click.ts, execute.ts,
 * notices.ts; the rules in policy.ts; who approves in roles.ts.
 */

/** The approval gate; see the module comment. */
export class ApprovalService {
  readonly #g: Gate;

  constructor(deps: ApprovalServiceDeps) {
    this.#g = {
      d: deps,
      store: new ApprovalStore({ redis: deps.redis, keys: deps.keys }),
      holds: new ApprovedHolds({ redis: deps.redis, keys: deps.keys }),
    };
  }

  /** Handles a request for an action: refuse, describe (dry run), run now, or ask approvers. */
  async request(input: RequestInput): Promise<RequestResult> {
    try {
      return await request(this.#g, input);
    } catch (err) {
      if (err instanceof RedisUnavailableError)
        return { kind: 'error', ephemeral: reply(escapeInline(err.message)) };
      throw err;
    }
  }

  /** Handles an Approve or Deny click on request `requestId` by `clicker` (a Deny with its reason). */
  async click(input: {
    requestId: string;
    clicker: string;
    vote: 'approve' | 'deny';
    reason?: string;
  }): Promise<ClickResult> {
    try {
      return await click(this.#g, input);
    } catch (err) {
      if (err instanceof RedisUnavailableError)
        return { kind: 'error', ephemeral: reply(escapeInline(err.message)) };
      throw err;
    }
  }

  /**
   * A Deny click, before its reason is asked: the refusal to show now, or an opaque reference
   * for the deny modal and the request it is about.
   */
  async openDeny(input: {
    requestId: string;
    clicker: string;
    channel: string;
  }): Promise<
    { ok: true; ref: string; request: ApprovalRequest } | { ok: false; result: ClickResult }
  > {
    try {
      const check = await checkDeny(this.#g, input);
      if (!check.ok) return check;
      const ref = await this.#g.store.modals.saveDeny({
        requestId: check.request.id,
        user: input.clicker,
        channel: input.channel,
      });
      return { ok: true, ref, request: check.request };
    } catch (err) {
      if (err instanceof RedisUnavailableError)
        return {
          ok: false,
          result: { kind: 'error', ephemeral: reply(escapeInline(err.message)) },
        };
      throw err;
    }
  }

  /** What a submitted deny modal was about; null when unknown, used, or not `user`'s. */
  resolveDenyRef(ref: string, user: string): Promise<DenyRef | null> {
    return this.#g.store.modals.takeDeny(ref, user);
  }

  /** Requests still waiting for approval, soonest expiry first. */
  listPending(): Promise<ApprovalRequest[]> {
    return this.#g.store.listPending(this.#g.d.clock());
  }

  /** Expires overdue requests, removes their buttons and tells their requesters; returns them. */
  async expireDue(): Promise<ApprovalRequest[]> {
    const now = this.#g.d.clock();
    const expired = await this.#g.store.expireDue(now);
    for (const request of expired) await afterExpiry(this.#g, request, now, 'system');
    return expired;
  }

  /**
   * Closes pending requests whose job has moved on: finished, gone, or already in the state the
   * action would bring, so approving them could only fail. Each is closed by one caller (the
   * store's transition), its buttons go, the reason is said and the requester told. A job that
   * cannot be read now is left for the next sweep. Returns what this call closed.
   */
  async closeMoot(): Promise<ApprovalRequest[]> {
    const now = this.#g.d.clock();
    const closed: ApprovalRequest[] = [];
    for (const request of await this.#g.store.listPending(now)) {
      let job: FineTuningJob | null;
      try {
        job = await this.#g.d.api.getJob(request.jobId);
      } catch (err) {
        if (!(err instanceof NotFoundError)) continue;
        job = null;
      }
      const allowed = job
        ? canActOn(request.action, job.status, job.id)
        : { ok: false as const, reason: `${request.jobId} no longer exists` };
      if (allowed.ok) continue;
      if (!(await this.#g.store.close(request.id, allowed.reason, now))) continue;
      const fresh = (await this.#g.store.get(request.id)) ?? request;
      await afterClose(this.#g, fresh, job, allowed.reason, now);
      closed.push(fresh);
    }
    return closed;
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
    const grace = this.#g.d.recoveryGraceMs ?? DEFAULT_RECOVERY_GRACE_MS;
    const taken = await this.#g.store.takeStuckDue(this.#g.d.clock(), grace);
    const done: Array<{ request: ApprovalRequest; result: ClickResult }> = [];
    for (const request of taken) {
      const approver = request.decidedBy ?? 'system';
      this.#g.d.logger?.warn(
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
            ? await executeApproved(this.#g, request, approver, true)
            : await report(this.#g, request, approver, {
                ok: request.state === 'executed',
                outcome: request.outcome ?? '',
                job: null,
                recovered: true,
              });
        done.push({ request, result });
      } catch (err) {
        // Still leased: the next sweep after another grace tries again.
        this.#g.d.logger?.warn({ err: errorText(err), requestId: request.id }, 'recovery failed');
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
    if (!isValidJobKey(ref.jobId)) throw new TypeError('not a job ID');
    return this.#g.store.modals.save({
      action: ref.action,
      jobId: ref.jobId,
      user: ref.user,
      channel: ref.channel,
    });
  }

  /** What a submitted modal was about; null when the reference is unknown, used, or not `user`'s. */
  resolveModalRef(ref: string, user: string): Promise<ModalRef | null> {
    return this.#g.store.modals.take(ref, user);
  }
}
