/** The commands that tell a user about ftops and the gate: help, whoami, approvals, audit. */
import { approvalsListView } from '../../views/approvals-list.ts';
import { auditView } from '../../views/audit.ts';
import { errorView } from '../../views/errors.ts';
import { helpView } from '../../views/help.ts';
import type { MessageView } from '../../views/types.ts';
import { whoamiView } from '../../views/whoami.ts';
import type { Caller, HandlerDeps } from '../deps.ts';

/** `/ft help`: the usage, marking what this caller may run and what needs approval. */
export async function help(deps: HandlerDeps, caller: Caller): Promise<MessageView> {
  const role = await deps.roles.check(caller.userId);
  return helpView({
    canApprove: role.approver,
    gatedActions: deps.approvalConfig.gatedActions,
    approvalsRequired: deps.approvalConfig.approvalsRequired,
    selfService: deps.approvalConfig.selfService,
  });
}

/** `/ft whoami`: the caller's roles and what they may do. */
export async function whoami(deps: HandlerDeps, caller: Caller): Promise<MessageView> {
  const role = await deps.roles.check(caller.userId);
  const view = whoamiView({
    userId: caller.userId,
    isApprover: role.approver,
    via: {
      direct: role.via === 'user',
      groups: role.via?.startsWith('group:') ? [role.via.slice('group:'.length)] : [],
    },
    gatedActions: deps.approvalConfig.gatedActions,
    approvalsRequired: deps.approvalConfig.approvalsRequired,
    selfService: deps.approvalConfig.selfService,
  });
  if (role.problems.length === 0) return view;
  // A group lookup failed: the user is told why the answer is "not an approver".
  const note = `⚠️ ${role.problems.join(' ')}`;
  return {
    text: `${view.text}\n${note}`,
    blocks: [...view.blocks, ...errorView(role.problems.join(' ')).blocks],
  };
}

/** `/ft approvals`: the requests waiting for a decision. */
export async function pendingApprovals(deps: HandlerDeps): Promise<MessageView> {
  const pending = await deps.approvals.listPending();
  return approvalsListView(
    pending.map((r) => ({
      requestId: r.id,
      action: r.action,
      jobId: r.jobId,
      requester: r.requester,
      approvals: r.approvals,
      approvalsRequired: r.approvalsRequired,
      expiresAt: r.expiresAt,
      reason: r.reason || null,
    })),
    { now: deps.clock() },
  );
}

/** `/ft audit [job]`: the latest audit entries, for approvers only. */
export async function auditLog(
  deps: HandlerDeps,
  caller: Caller,
  jobId: string | null,
): Promise<MessageView> {
  const role = await deps.roles.check(caller.userId);
  if (!role.approver) {
    return errorView('The audit log is shown to approvers only. `/ft whoami` tells you your role.');
  }
  const recent = await deps.audit.latest({ count: 200, ...(jobId ? { jobId } : {}) });
  const entries = keepDecisions(recent, 20);
  return auditView(
    entries.map((e) => ({
      at: e.at,
      actor: e.who === 'system' ? null : e.who,
      action: `${e.event}${e.action ? ` ${e.action}` : ''}`,
      jobId: e.jobId ?? null,
      outcome: e.outcome ?? null,
    })),
    { jobId },
  );
}

/**
 * The newest `max` entries, except that refused clicks never push requests, decisions and
 * executions out of view: a burst of late clicks on a decided request leaves dozens of
 * refusals, and who decided must still show. Order (newest first) is kept.
 */
function keepDecisions<E extends { event: string }>(entries: readonly E[], max: number): E[] {
  const decisions = entries.filter((e) => e.event !== 'refused').slice(0, max);
  const refusals = entries.filter((e) => e.event === 'refused').slice(0, max - decisions.length);
  const keep = new Set<E>([...decisions, ...refusals]);
  return entries.filter((e) => keep.has(e));
}
