import { actionApplies, alreadyDone, pastTense } from '../../api/actions.ts';
import type { ApprovalState, GateAction } from '../../store/approvals.ts';
import { statusPhrase } from '../../views/status.ts';

/**
 * The approval gate's rules as pure functions: whether a request runs at once or waits,
 * whether a click may count, whether a job is in a state the action applies to, and which API
 * call an action makes. No I/O here, so every rule is tested exhaustively with fast-check.
 */

/** How a request for an action proceeds. */
export type RequestDecision =
  | 'run-now'
  | 'run-now-self-authorised'
  /** An approver undoing what approvers agreed to (resuming an approved pause): no second OK. */
  | 'run-now-approver'
  | 'needs-approval';

/**
 * Ungated actions run at once; an approver's own request runs at once only with self-service.
 * An action that would undo what approvers agreed to (a resume of an approved pause) is gated
 * even when its kind is not, except for approvers, who may undo it directly.
 */
export function decideRequest(input: {
  action: GateAction;
  isGated: boolean;
  requesterIsApprover: boolean;
  selfService: boolean;
  /** The action would undo an approved one still in effect. */
  undoesApproved?: boolean;
}): RequestDecision {
  const undoes = input.undoesApproved === true;
  if (!input.isGated && !undoes) return 'run-now';
  if (input.requesterIsApprover && input.selfService) return 'run-now-self-authorised';
  if (!input.isGated && input.requesterIsApprover) return 'run-now-approver';
  return 'needs-approval';
}

/** Why a click on a request does not count. */
export type ClickRefusal = 'not_approver' | 'is_requester' | 'expired' | 'already_decided';

/** The part of a request a click check looks at. */
export interface ClickableRequest {
  requester: string;
  state: ApprovalState;
  expiresAt: number;
}

/**
 * Whether `clicker` may approve or deny `request` now. The requester never may, approver or
 * not (four eyes); only approvers may; only while the request is pending and not expired.
 */
export function canClick(input: {
  request: ClickableRequest;
  clicker: string;
  clickerIsApprover: boolean;
  now: number;
}): { ok: true } | { ok: false; reason: ClickRefusal } {
  const { request, clicker, clickerIsApprover, now } = input;
  if (request.state !== 'pending') return { ok: false, reason: 'already_decided' };
  if (now >= request.expiresAt) return { ok: false, reason: 'expired' };
  if (clicker === request.requester) return { ok: false, reason: 'is_requester' };
  if (!clickerIsApprover) return { ok: false, reason: 'not_approver' };
  return { ok: true };
}

/**
 * Whether `action` applies to a job in `status`: pause only a running job, resume only a
 * paused one, cancel any job that has not finished.
 */
export function canActOn(
  action: GateAction,
  status: string,
  jobId = 'the job',
): { ok: true } | { ok: false; reason: string } {
  if (actionApplies(action, status)) return { ok: true };
  // "is already paused", not "is paused, so it cannot be paused".
  if (alreadyDone(action, status)) return { ok: false, reason: `${jobId} ${already(status)}` };
  return {
    ok: false,
    reason: `${jobId} ${statusPhrase(status)}, so it cannot be ${pastTense(action)}`,
  };
}

function already(status: string): string {
  const phrase = statusPhrase(status);
  return phrase.replace(/^(is|has|was) /, '$1 already ');
}

/** The exact API call an action makes, for dry runs and the audit trail. */
export function describeApiCall(action: GateAction, jobId: string): string {
  return `POST /fine_tuning/jobs/${jobId}/${action}`;
}

export { alreadyDone } from '../../api/actions.ts';
