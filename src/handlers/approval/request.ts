import { isJobAction } from '../../api/actions.ts';
import type { FineTuningJob } from '../../api/schemas.ts';
import type { Hold } from '../../store/holds.ts';
import { errorText } from '../../util/error-text.ts';
import {
  capitalise,
  dryRunText,
  postFailureText,
  reply,
  requestDate,
} from '../../views/approval-replies.ts';
import { channelRef, code, EMPTY, escapeInline, md, truncate } from '../../views/mrkdwn.ts';
import { isValidJobKey, REASON_MAX } from '../../vocabulary/index.ts';
import { afterEffect, audit, type Gate, mention, policyOf, undoesHold, watch } from './context.ts';
import { callApi } from './execute.ts';
import { canActOn, decideRequest, describeApiCall } from './policy.ts';
import type { RoleCheck } from './roles.ts';
import type { RequestInput, RequestResult } from './types.ts';

/**
 * `/ft pause|resume|cancel` (and the reason modal): refuse, describe (dry run), run now, or
 * post the request for approvers and wait.
 */
export async function request(g: Gate, input: RequestInput): Promise<RequestResult> {
  const { requester, channel } = input;
  if (!isJobAction(input.action)) {
    return {
      kind: 'invalid',
      ephemeral: reply(md`${code(input.action)} is not pause, resume or cancel.`),
    };
  }
  const action = input.action;
  if (!isValidJobKey(input.jobId)) {
    return {
      kind: 'invalid',
      ephemeral: reply(
        md`${code(input.jobId) || md`That`} is not a fine-tuning job ID; they look like \`ftjob-abc123\`.`,
      ),
    };
  }
  const reason = truncate((input.reason ?? '').trim(), REASON_MAX);
  let job: FineTuningJob;
  try {
    job = await g.d.api.getJob(input.jobId);
  } catch (err) {
    return { kind: 'error', ephemeral: reply(escapeInline(errorText(err))) };
  }
  const allowed = canActOn(action, job.status, job.id);
  const policy = policyOf(g, job.id);
  const isGated = policy.config.gatedActions.includes(action);
  let hold: Hold | null;
  try {
    hold = await g.holds.get(job.id);
  } catch (err) {
    // Not knowing whether this undoes an approved pause, refuse rather than guess.
    return { kind: 'error', ephemeral: reply(escapeInline(errorText(err))) };
  }
  const undoes = undoesHold(action, hold);
  const role: RoleCheck =
    isGated || undoes ? await policy.roles.check(requester) : { approver: false, problems: [] };
  const decision = decideRequest({
    action,
    isGated,
    requesterIsApprover: role.approver,
    selfService: policy.config.selfService,
    undoesApproved: undoes,
  });
  const undone = undoes && hold ? { action: hold.action, by: hold.by } : null;

  if (input.dryRun) {
    return {
      kind: 'dry-run',
      ephemeral: reply(
        dryRunText({
          action,
          jobId: job.id,
          status: job.status,
          allowed,
          decision,
          approvalsRequired: policy.config.approvalsRequired,
          mention: mention(g, job.id),
          channel: policy.config.channel ?? channel,
          apiCall: describeApiCall(action, job.id),
          problems: role.problems,
          undoes: undone,
        }),
      ),
    };
  }
  if (!allowed.ok)
    return { kind: 'refused', ephemeral: reply(md`${escapeInline(allowed.reason)}.`) };

  if (decision !== 'needs-approval') {
    const selfAuth = decision === 'run-now-self-authorised';
    const asApprover = selfAuth || decision === 'run-now-approver';
    const result = await callApi(g, action, job, requester);
    if (result.ok) await afterEffect(g, action, job.id, requester);
    await audit(g, {
      event: result.ok ? (asApprover ? 'self_authorised' : 'ran_ungated') : 'failed',
      who: requester,
      action,
      jobId: job.id,
      channel,
      outcome: result.outcome,
    });
    if (!result.ok) return { kind: 'failed', ephemeral: reply(escapeInline(result.outcome)) };
    await watch(g, channel, job.id);
    const how = selfAuth
      ? md` Self-authorised: you are an approver and self-service is on, so no second approval was needed.`
      : decision === 'run-now-approver' && undone
        ? md` This undoes the ${escapeInline(undone.action)} approvers agreed to; as an approver you may do that directly.`
        : EMPTY;
    return { kind: 'executed', ephemeral: reply(md`${escapeInline(result.outcome)}.${how}`) };
  }

  const { users, groups } = policy.config.approvers;
  if (users.length === 0 && groups.length === 0) {
    return {
      kind: 'refused',
      ephemeral: reply(
        md`${escapeInline(capitalise(action))} needs approval, but nobody can approve: FT_APPROVER_IDS is empty. Ask whoever runs ftops to set it.`,
      ),
    };
  }

  const evidence = await evidenceOf(g, job);
  const now = g.d.clock();
  const request = await g.store.create(
    {
      action,
      jobId: job.id,
      requester,
      reason,
      channel,
      jobStatusAtRequest: job.status,
      approvalsRequired: policy.config.approvalsRequired,
      ttlMinutes: policy.config.ttlMinutes,
      ...(evidence ? { evidence } : {}),
    },
    now,
  );
  const approvalChannel = policy.config.channel ?? channel;
  const approvers = mention(g, job.id);
  const view = g.d.views.renderRequest(request, job, now, { mention: approvers });
  let ts: string | undefined;
  try {
    const posted = await g.d.slack.chat.postMessage({
      channel: approvalChannel,
      // The mention must be in `text` for Slack to notify the approvers; add it unless the
      // view already put it there.
      text: approvers.split(' ').every((m) => view.text.includes(m))
        ? view.text
        : md`${approvers} ${view.text}`,
      ...(view.blocks ? { blocks: view.blocks } : {}),
    });
    ts = posted.ts;
  } catch (err) {
    const slackError = (err as { data?: { error?: unknown } } | null)?.data?.error;
    const why = postFailureText(
      typeof slackError === 'string' ? slackError : null,
      approvalChannel,
      errorText(err),
    );
    await g.store.abandon(request.id, `Could not post the request: ${why}`, now);
    await audit(g, {
      event: 'failed',
      who: requester,
      action,
      jobId: job.id,
      requestId: request.id,
      channel,
      outcome: `request not posted: ${why}`,
    });
    return {
      kind: 'failed',
      ephemeral: reply(md`Your request could not be posted: ${why}`),
      requestId: request.id,
    };
  }
  if (ts) await g.store.setMessage(request.id, approvalChannel, ts);
  await audit(g, {
    event: 'requested',
    who: requester,
    action,
    jobId: job.id,
    requestId: request.id,
    channel,
    outcome: `waiting for ${request.approvalsRequired} approval(s) in ${approvalChannel}`,
  });
  const note = md`${
    undone && !isGated
      ? md` It needs an approver's OK because it undoes the ${escapeInline(undone.action)} approvers agreed to.`
      : EMPTY
  }${role.approver ? md` You are an approver, but not of your own request: another approver must decide.` : EMPTY}`;
  return {
    kind: 'pending',
    requestId: request.id,
    ephemeral: reply(
      md`Your request to ${escapeInline(action)} ${code(job.id)} is waiting for approval in ${channelRef(approvalChannel)}. It expires ${requestDate(request.expiresAt)}.${note}`,
    ),
  };
}

/** How long a request waits for the job's training numbers before it is posted without them. */
const EVIDENCE_WAIT_MS = 3_000;

/** The job's training numbers for the approvers, or none when they cannot be had in time. */
async function evidenceOf(g: Gate, job: FineTuningJob): Promise<string | null> {
  if (!g.d.evidenceOf) return null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), EVIDENCE_WAIT_MS);
  });
  try {
    return await Promise.race([g.d.evidenceOf(job), late]);
  } catch (err) {
    g.d.logger?.warn({ err: errorText(err), jobId: job.id }, 'no training numbers for the request');
    return null;
  } finally {
    clearTimeout(timer);
  }
}
