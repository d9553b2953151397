import type { ApprovalRequest } from '../../store/approvals.ts';
import { clickRefusalText, deniedNotice, reply } from '../../views/approval-replies.ts';
import { code, EMPTY, escapeInline, joinMd, md, userMention } from '../../views/mrkdwn.ts';
import { audit, type Gate, mention, policyOf } from './context.ts';
import { executeApproved } from './execute.ts';
import { afterExpiry, refresh, tellRequester, tellWhereAsked } from './notices.ts';
import { canClick } from './policy.ts';
import type { RoleCheck } from './roles.ts';
import type { ClickResult } from './types.ts';

/**
 * Earlier voters who no longer hold the role, read fresh from Slack when this click could
 * complete the approval: a vote counts only if its voter is still an approver when the decision
 * is taken. A lookup that fails counts as not an approver (failing closed).
 */
async function recheckVoters(
  g: Gate,
  request: { jobId: string; approvals: readonly string[]; approvalsRequired: number },
  clicker: string,
): Promise<{ lapsed: string[]; unverified: string[] }> {
  const earlier = request.approvals.filter((v) => v !== clicker);
  if (earlier.length === 0 || earlier.length + 1 < request.approvalsRequired)
    return { lapsed: [], unverified: [] };
  const checks = await Promise.all(
    earlier.map((v) =>
      policyOf(g, request.jobId)
        .roles.check(v, { fresh: true })
        .catch(() => ({ approver: false, problems: ['error'] })),
    ),
  );
  const not = (i: number) => !checks[i]?.approver;
  const couldNotCheck = (i: number) => (checks[i]?.problems.length ?? 0) > 0;
  return {
    lapsed: earlier.filter((_, i) => not(i) && !couldNotCheck(i)),
    unverified: earlier.filter((_, i) => not(i) && couldNotCheck(i)),
  };
}

/** Why a click on `requestId` by `clicker` is refused before any vote, or the request to vote on. */
async function precheck(
  g: Gate,
  input: { requestId: string; clicker: string; vote: 'approve' | 'deny' },
): Promise<
  | { ok: true; request: ApprovalRequest; role: RoleCheck; now: number }
  | { ok: false; result: ClickResult }
> {
  const { requestId, clicker, vote } = input;
  const request = await g.store.get(requestId);
  if (!request) {
    await audit(g, {
      event: 'refused',
      who: clicker,
      ...(requestId.length <= 64 ? { requestId } : {}),
      outcome: 'not_found',
    });
    return { ok: false, result: notFound() };
  }
  const role = await policyOf(g, request.jobId).roles.check(clicker);
  const now = g.d.clock();
  const check = canClick({ request, clicker, clickerIsApprover: role.approver, now });
  if (check.ok) return { ok: true, request, role, now };
  if (check.reason === 'expired' && (await g.store.expire(request.id, now))) {
    const expired = await g.store.get(request.id);
    if (expired) await afterExpiry(g, expired, now, clicker);
  }
  await audit(g, {
    event: 'refused',
    who: clicker,
    action: request.action,
    jobId: request.jobId,
    requestId: request.id,
    ...channelOf(request),
    outcome: [`${vote}: ${check.reason}`, ...role.problems].join('; '),
  });
  return {
    ok: false,
    result: {
      kind: check.reason === 'expired' ? 'expired' : 'refused',
      refusal: check.reason,
      ephemeral: reply(
        clickRefusalText(check.reason, request, {
          mention: mention(g, request.jobId),
          problems: role.problems,
        }),
      ),
    },
  };
}

/** Where a click on the request happens: the request message's channel, once it was posted. */
const channelOf = (r: ApprovalRequest) => (r.approvalChannel ? { channel: r.approvalChannel } : {});

const notFound = (): ClickResult => ({
  kind: 'not_found',
  ephemeral: reply(md`This approval request no longer exists, so nothing was done.`),
});

/**
 * Whether `clicker` may deny `requestId` now: the refusal to show at once, or the request, so
 * the reason modal opens only for someone whose Deny would count.
 */
export async function checkDeny(
  g: Gate,
  input: { requestId: string; clicker: string },
): Promise<{ ok: true; request: ApprovalRequest } | { ok: false; result: ClickResult }> {
  const pre = await precheck(g, { ...input, vote: 'deny' });
  return pre.ok ? { ok: true, request: pre.request } : pre;
}

/**
 * An Approve or Deny click: checked against the request read back from Redis, counted by the
 * store's atomic vote, and, for the click that completes the approval, executed. A Deny may
 * carry the approver's reason (from the deny modal).
 */
export async function click(
  g: Gate,
  input: { requestId: string; clicker: string; vote: 'approve' | 'deny'; reason?: string },
): Promise<ClickResult> {
  const { clicker, vote } = input;
  const pre = await precheck(g, input);
  if (!pre.ok) return pre.result;
  const { request, role, now } = pre;

  const { lapsed, unverified } =
    vote === 'approve' ? await recheckVoters(g, request, clicker) : { lapsed: [], unverified: [] };
  const result = await g.store.decide({
    id: request.id,
    clicker,
    vote,
    now,
    approvalsRequired: request.approvalsRequired,
    lapsed,
    unverified,
  });
  const base = {
    who: clicker,
    action: request.action,
    jobId: request.jobId,
    requestId: request.id,
    ...channelOf(request),
  };
  switch (result.kind) {
    case 'recorded': {
      await audit(g, {
        ...base,
        event: 'vote_recorded',
        outcome: `${result.count} of ${request.approvalsRequired}`,
      });
      const fresh = await g.store.get(request.id);
      if (fresh) await refresh(g, fresh, null, now);
      const left = request.approvalsRequired - result.count;
      return {
        kind: 'recorded',
        ephemeral: reply(
          md`Your approval is recorded; ${left} more approver(s) needed.${
            lapsed.length > 0
              ? md` ${joinMd(lapsed.map(userMention), ', ')} no longer ${lapsed.length === 1 ? md`holds` : md`hold`} the approver role, so ${lapsed.length === 1 ? md`that vote does` : md`those votes do`} not count.`
              : EMPTY
          }${
            unverified.length > 0
              ? md` Slack could not confirm that ${joinMd(unverified.map(userMention), ', ')} still ${unverified.length === 1 ? md`holds` : md`hold`} the role, so ${unverified.length === 1 ? md`that vote is` : md`those votes are`} not counted for now.`
              : EMPTY
          }`,
        ),
      };
    }
    case 'duplicate': {
      const left = request.approvalsRequired - result.count;
      return {
        kind: 'duplicate',
        ephemeral: reply(
          md`You have already approved this; it still needs ${left} more approver(s) other than you.`,
        ),
      };
    }
    case 'denied': {
      const reason = (input.reason ?? '').trim();
      await audit(g, {
        ...base,
        event: 'denied',
        outcome: reason ? `denied: ${reason}` : 'denied',
      });
      await g.store.noteDenyReason(request.id, reason);
      const fresh = (await g.store.get(request.id)) ?? {
        ...request,
        state: 'denied' as const,
      };
      await refresh(g, fresh, null, now);
      const notice = deniedNotice(fresh, clicker, reason);
      await tellRequester(g, fresh, notice);
      await tellWhereAsked(g, fresh, notice);
      return {
        kind: 'denied',
        ephemeral: reply(
          md`You denied the ${escapeInline(request.action)} of ${code(request.jobId)}.`,
        ),
      };
    }
    case 'expired': {
      const fresh = await g.store.get(request.id);
      if (fresh) await afterExpiry(g, fresh, now, clicker);
      return {
        kind: 'expired',
        refusal: 'expired',
        ephemeral: reply(
          clickRefusalText('expired', request, {
            mention: mention(g, request.jobId),
            problems: role.problems,
          }),
        ),
      };
    }
    case 'is_requester':
      return {
        kind: 'refused',
        refusal: 'is_requester',
        ephemeral: reply(
          clickRefusalText('is_requester', request, {
            mention: mention(g, request.jobId),
            problems: role.problems,
          }),
        ),
      };
    case 'already_decided': {
      const fresh = (await g.store.get(request.id)) ?? { ...request, state: result.state };
      await audit(g, {
        ...base,
        event: 'refused',
        outcome: `${vote}: already_decided:${result.state}`,
      });
      return {
        kind: 'refused',
        refusal: 'already_decided',
        ephemeral: reply(
          clickRefusalText('already_decided', fresh, {
            mention: mention(g, request.jobId),
            problems: role.problems,
          }),
        ),
      };
    }
    case 'not_found':
      return notFound();
    case 'approved':
      await audit(g, {
        ...base,
        event: 'approved',
        outcome: `${result.count} of ${request.approvalsRequired}`,
      });
      return executeApproved(g, request, clicker);
  }
}
