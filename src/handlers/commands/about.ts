/** The commands that tell a user about ftops and the gate: help, whoami, approvals, audit. */

import {
  ALWAYS_ALLOWED,
  type ChannelRule,
  mayRun,
  ruleFor,
  visibleResources,
} from '../../access/index.ts';
import type { AuditEntry } from '../../store/audit.ts';
import { policyView } from '../../views/access.ts';
import { approvalsListView } from '../../views/approvals-list.ts';
import { type AuditEntryView, auditView } from '../../views/audit.ts';
import { errorView } from '../../views/errors.ts';
import { helpView } from '../../views/help.ts';
import { escapeMrkdwn, md } from '../../views/mrkdwn.ts';
import type { MessageView } from '../../views/types.ts';
import { whoamiView } from '../../views/whoami.ts';
import { isApproverOnly, splitJobKey, VERBS } from '../../vocabulary/index.ts';
import type { RoleCheck } from '../approval/index.ts';
import type { Caller, HandlerDeps } from '../deps.ts';

/**
 * The caller's approver role on each resource this channel sees. With one resource that is
 * the global role; with several, each resource's own approver list is asked.
 */
async function rolesHere(
  deps: HandlerDeps,
  caller: Caller,
): Promise<{ role: RoleCheck; approverOn: string[]; notOn: string[] }> {
  if (deps.resources.names.length <= 1) {
    const role = await deps.roles.check(caller.userId);
    return { role, approverOn: [], notOn: [] };
  }
  const visible = visibleResources(ruleFor(deps.access, caller.channelId), deps.resources.names);
  const checks = await Promise.all(visible.map((r) => deps.resources.roleOn(r, caller.userId)));
  const approverOn = visible.filter((_, i) => checks[i]?.approver);
  const first = checks.find((c) => c.approver);
  const problems = [...new Set(checks.flatMap((c) => c.problems))];
  return {
    role: first ? { ...first, problems } : { approver: false, problems },
    approverOn,
    notOn: visible.filter((r) => !approverOn.includes(r)),
  };
}

/** `/ft help`: the usage, marking what this caller may run and what needs approval. */
export async function help(deps: HandlerDeps, caller: Caller): Promise<MessageView> {
  const { role } = await rolesHere(deps, caller);
  return helpView({
    canApprove: role.approver,
    gatedActions: deps.approvalConfig.gatedActions,
    approvalsRequired: deps.approvalConfig.approvalsRequired,
    selfService: deps.approvalConfig.selfService,
  });
}

/** `/ft whoami`: the caller's roles and what they may do. */
export async function whoami(deps: HandlerDeps, caller: Caller): Promise<MessageView> {
  const { role, approverOn, notOn } = await rolesHere(deps, caller);
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
    ...(deps.resources.names.length > 1 ? { resources: { approverOn, notOn } } : {}),
  });
  if (role.problems.length === 0) return view;
  // A group lookup failed: the user is told why the answer is "not an approver".
  return {
    text: md`${view.text}\n⚠️ ${escapeMrkdwn(role.problems.join(' '))}`,
    blocks: [...view.blocks, ...errorView(role.problems.join(' ')).blocks],
  };
}

/** `/ft approvals`: the requests waiting for a decision. */
export async function pendingApprovals(
  deps: HandlerDeps,
  resources: readonly string[],
): Promise<MessageView> {
  const pending = (await deps.approvals.listPending()).filter((r) =>
    onResources(r.jobId, resources),
  );
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

/** Decisions shown per page of `/ft audit`, and refusals shown apart on the first page. */
const AUDIT_PAGE = 20;
const AUDIT_REFUSALS = 5;

/**
 * `/ft audit [job]` and its "Older entries" button, for approvers only: decisions newest
 * first, a page at a time from `before` (a stream ID), and on the first page the newest
 * refusals apart, so no flood of refused clicks hides who decided.
 */
export async function auditLog(
  deps: HandlerDeps,
  caller: Caller,
  jobId: string | null,
  /** Without a job: the resources whose entries the channel may see. */
  resources?: readonly string[],
  before?: string,
): Promise<MessageView> {
  const { role, approverOn } = await rolesHere(deps, caller);
  if (isApproverOnly('audit') && !role.approver) {
    return errorView('The audit log is shown to approvers only. `/ft whoami` tells you your role.');
  }
  // With several resources, an approver sees the decisions of the resources they approve on.
  if (deps.resources.names.length > 1) {
    const mine = resources ?? deps.resources.names;
    resources = mine.filter((r) => approverOn.includes(r));
    if (jobId && !onResources(jobId, resources))
      return errorView(
        'The audit log of a job is shown to the approvers of its resource only. `/ft whoami` tells you where you approve.',
      );
  }
  const scope = jobId ? { jobId } : {};
  // One more than a page tells whether an "Older entries" button is worth showing.
  const [decisions, refusals] = await Promise.all([
    deps.audit.latest({ ...scope, count: AUDIT_PAGE + 1, ...(before ? { before } : {}) }),
    before ? [] : deps.audit.refusals({ ...scope, count: AUDIT_REFUSALS }),
  ]);
  const page = decisions
    .slice(0, AUDIT_PAGE)
    .filter((e) => !resources || !e.jobId || onResources(e.jobId, resources));
  const older = decisions.length > AUDIT_PAGE ? (page.at(-1)?.id ?? null) : null;
  return auditView(page.map(entryView), {
    jobId,
    refusals: refusals
      .filter((e) => !resources || !e.jobId || onResources(e.jobId, resources))
      .map(entryView),
    older,
    continued: before !== undefined,
  });
}

function entryView(e: AuditEntry): AuditEntryView {
  return {
    at: e.at,
    actor: e.who === 'system' || e.who === '' ? null : e.who,
    event: e.event,
    action: e.action ?? null,
    jobId: e.jobId ?? null,
    channel: e.channel ?? null,
    outcome: e.outcome ?? null,
    ...(e.repeats ? { repeats: e.repeats } : {}),
  };
}

/** Whether every verb may run on `resource` under `rule`. */
function mayRunEverything(rule: ChannelRule, resource: string): boolean {
  return VERBS.every((v) => mayRun(rule, v, resource));
}

/** Whether job `key` is on one of `resources`. */
function onResources(key: string, resources: readonly string[]): boolean {
  const resource = splitJobKey(key)?.resource;
  return resource !== undefined && resources.includes(resource);
}

/** `/ft policy`: this channel's rules, the resources it sees and their approval rules. */
export async function policy(
  deps: HandlerDeps,
  caller: Caller,
  rule: ChannelRule,
): Promise<MessageView> {
  const visible = visibleResources(rule, deps.resources.names);
  return policyView({
    channel: caller.channelId,
    rule,
    ...(deps.access.users ? { everyone: deps.access.users } : {}),
    admins: deps.access.admins,
    resources: visible.map((name) => {
      const approval = deps.resources.approvalOf(name);
      return {
        name,
        host: deps.resources.hostOf(name),
        kind: deps.resources.kindOf(name),
        verbs: VERBS.filter((v) => !ALWAYS_ALLOWED.includes(v) && mayRun(rule, v, name)),
        allVerbs: mayRunEverything(rule, name),
        approval,
      };
    }),
  });
}
