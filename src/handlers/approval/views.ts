import { type FineTuningJob, FineTuningJobSchema } from '../../api/schemas.ts';
import type { ApprovalRequest } from '../../store/approvals.ts';
import { approvalRequestView } from '../../views/approval-request.ts';
import type { ApprovalViews } from './types.ts';

/**
 * Binds the views module's `approvalRequestView` to the gate's `ApprovalViews` port. When the
 * gate has no fresh job at hand (a vote, a denial, an expiry) the card shows the job as it was
 * when the request was made, rather than reading the API again for every click.
 */
export function createApprovalViews(approvers: {
  users: readonly string[];
  groups: readonly string[];
}): ApprovalViews {
  return {
    renderRequest(request: ApprovalRequest, job: FineTuningJob | null, now: number) {
      return approvalRequestView({
        requestId: request.id,
        action: request.action,
        job:
          job ??
          FineTuningJobSchema.parse({ id: request.jobId, status: request.jobStatusAtRequest }),
        requester: request.requester,
        reason: request.reason || null,
        evidence: request.evidence ?? null,
        approverGroups: approvers.groups,
        approverUsers: approvers.users,
        approvalsRequired: request.approvalsRequired,
        approvals: request.approvals,
        lapsed: request.lapsed ?? [],
        expiresAt: request.expiresAt,
        state: request.state,
        decidedBy: request.decidedBy ?? null,
        decidedAt: request.decidedAt ?? null,
        outcome: request.outcome ?? null,
        now,
      });
    },
  };
}
