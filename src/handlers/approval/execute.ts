import type { FineTuningJob } from '../../api/schemas.ts';
import type { ApprovalRequest, GateAction } from '../../store/approvals.ts';
import { errorText } from '../../util/error-text.ts';
import { capitalise, outcomeNotice, reply } from '../../views/approval-replies.ts';
import { escapeInline, type Mrkdwn, md } from '../../views/mrkdwn.ts';
import { afterEffect, audit, type Gate, outcomeAudited, watch } from './context.ts';
import { refresh, tellRequester, tellWhereAsked } from './notices.ts';
import { alreadyDone, canActOn } from './policy.ts';
import type { ClickResult } from './types.ts';

/**
 * Carrying out an approved request exactly once: read the job, send the action unless its
 * effect is already visible, record the outcome, then report it everywhere it is due.
 */
/**
 * Runs an approved request; only the caller that got `approved` from the store comes here,
 * or (`recovered`) the one that took it over from a process that died while running it.
 */
export async function executeApproved(
  g: Gate,
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
    job = await g.d.api.getJob(jobId);
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
      const result = await callApi(g, action, job, request.requester);
      ok = result.ok;
      outcome = result.outcome;
      job = result.job ?? job;
      if (ok) await afterEffect(g, action, jobId, approver, request.id);
    }
  }
  const recorded = ok
    ? await g.store.markExecuted(request.id, outcome, g.d.clock())
    : await g.store.markFailed(request.id, outcome, g.d.clock());
  if (!recorded && recovered) {
    // The original execution recorded its outcome after all while this one ran: it tells
    // everyone (or, if it dies before that, a later sweep does).
    return {
      kind: ok ? 'executed' : 'failed',
      ephemeral: reply(md`This request was finished elsewhere meanwhile.`),
    };
  }
  return report(g, request, approver, { ok, outcome, job, recovered });
}

/**
 * Audits an outcome that is recorded, updates the request message and tells the requester;
 * then the request is finished. A process that dies before the end leaves it to the recovery
 * sweep, which comes here again (so, rarely, the requester is told twice, never left untold).
 */
export async function report(
  g: Gate,
  request: ApprovalRequest,
  approver: string,
  r: { ok: boolean; outcome: string; job: FineTuningJob | null; recovered: boolean },
): Promise<ClickResult> {
  const { action, jobId } = request;
  const { ok, outcome, recovered } = r;
  let job = r.job;
  // A recovery that only reports has not read the job yet; an execution has (or could not).
  if (!job && recovered) job = await g.d.api.getJob(jobId).catch(() => null);
  const now = g.d.clock();
  // A recovery may follow a process that died part-way through this: what it already did
  // (the audit entry, the thread reply) is not done twice.
  if (!(recovered && (await outcomeAudited(g, request)))) {
    await audit(g, {
      event: ok ? 'executed' : 'failed',
      who: approver,
      action,
      jobId,
      requestId: request.id,
      outcome: recovered ? `recovered after the approving process stopped: ${outcome}` : outcome,
    });
  }
  const fresh = (await g.store.get(request.id)) ?? {
    ...request,
    state: ok ? ('executed' as const) : ('failed' as const),
    outcome,
  };
  await refresh(g, fresh, job, now);
  let notice: Mrkdwn | null = null;
  if (!(recovered && fresh.told)) {
    notice = outcomeNotice({ ...request, approver, ok, outcome, recovered });
    const told = await tellRequester(g, fresh, notice);
    if (told) await g.store.markTold(request.id);
  }
  if (ok) await watch(g, request.channel, jobId);
  await g.store.markReported(request.id);
  if (notice) await tellWhereAsked(g, fresh, notice);
  return {
    kind: ok ? 'executed' : 'failed',
    ephemeral: reply(
      ok
        ? md`Approved. ${escapeInline(outcome)}.`
        : md`Approved, but it failed: ${escapeInline(outcome)}`,
    ),
  };
}

export async function callApi(
  g: Gate,
  action: GateAction,
  before: FineTuningJob,
  actor: string,
): Promise<{ ok: boolean; outcome: string; job?: FineTuningJob }> {
  const api = g.d.api;
  const jobId = before.id;
  try {
    // Recorded before the call, so the poller can name who did it however fast it sees it,
    // and knows the status it changed from.
    await g.d.onActing?.(before, { userId: actor, action, at: g.d.clock() });
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
