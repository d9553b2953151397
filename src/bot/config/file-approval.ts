import type { ApprovalPolicyConfig } from '../../handlers/approval/index.ts';
import type { ApprovalEntry } from './file-schema.ts';
import type { Path, Report } from './file-types.ts';

/** The approval rules of the FT_CONFIG file: merged over the defaults, and checked. */

export function mergeApproval(
  base: ApprovalPolicyConfig,
  over: ApprovalEntry | undefined,
): ApprovalPolicyConfig {
  if (!over) return base;
  const channel = over.channel ?? base.channel;
  return {
    approvers: over.approvers ?? base.approvers,
    gatedActions: over.gated_actions ?? base.gatedActions,
    approvalsRequired: over.approvals_required ?? base.approvalsRequired,
    selfService: over.self_service ?? base.selfService,
    ttlMinutes: over.ttl_minutes ?? base.ttlMinutes,
    ...(channel ? { channel } : {}),
  };
}

/** An action that is gated but that no one, or not enough people, could ever approve. */
export function checkApproval(policy: ApprovalPolicyConfig, at: Path, report: Report): void {
  if (policy.gatedActions.length === 0) return;
  const gated = policy.gatedActions.join(' and ');
  const { users, groups } = policy.approvers;
  if (users.length === 0 && groups.length === 0) {
    report(
      at,
      `${gated} ${policy.gatedActions.length > 1 ? 'are' : 'is'} gated but no approver is listed, so no one could ever approve; list approvers or set gated_actions: []`,
    );
    return;
  }
  // Four eyes: the requester never counts, so n approvals need n + 1 people to be possible.
  if (groups.length === 0 && users.length < policy.approvalsRequired) {
    report(
      at,
      `approvals_required is ${policy.approvalsRequired} but only ${users.length} approver${users.length === 1 ? ' is' : 's are'} listed, so ${gated} could never be approved`,
    );
  }
}
