/** The approval gate: the only way into it for the rest of ftops. */

export { alreadyDone, canActOn, canClick, decideRequest, describeApiCall } from './policy.ts';
export { ApproverRoles, type RoleCheck } from './roles.ts';
export { ApprovalService } from './service.ts';
export type {
  ApprovalPolicyConfig,
  ApprovalServiceDeps,
  ApprovalViews,
  ApproverList,
  ClickResult,
  GatePolicy,
  RequestInput,
  RequestResult,
  SlackChatApi,
} from './types.ts';
export { DEFAULT_RECOVERY_GRACE_MS } from './types.ts';
export { createApprovalViews } from './views.ts';
