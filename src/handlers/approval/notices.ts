import type { FineTuningJob } from '../../api/schemas.ts';
import type { ApprovalRequest } from '../../store/approvals.ts';
import { errorText } from '../../util/error-text.ts';
import { closedNotice, expiredNotice } from '../../views/approval-replies.ts';
import { audit, type Gate, mention } from './context.ts';

/**
 * What the gate says in Slack besides its replies: the approval request message, kept up to
 * date, and the thread (or channel) where the requester hears what became of their request.
 */

export async function refresh(
  g: Gate,
  request: ApprovalRequest,
  job: FineTuningJob | null,
  now: number,
): Promise<void> {
  if (!request.approvalChannel || !request.messageTs) return;
  const view = g.d.views.renderRequest(request, job, now, { mention: mention(g, request.jobId) });
  try {
    await g.d.slack.chat.update({
      channel: request.approvalChannel,
      ts: request.messageTs,
      text: view.text,
      blocks: view.blocks ?? [],
    });
  } catch (err) {
    g.d.logger?.warn(
      { err: errorText(err), requestId: request.id },
      'approval message update failed',
    );
  }
}

/** True when the message was posted. */
export async function tellRequester(
  g: Gate,
  request: ApprovalRequest,
  text: string,
): Promise<boolean> {
  try {
    await g.d.slack.chat.postMessage(
      request.approvalChannel && request.messageTs
        ? { channel: request.approvalChannel, thread_ts: request.messageTs, text }
        : { channel: request.channel, text },
    );
    return true;
  } catch (err) {
    g.d.logger?.warn(
      { err: errorText(err), requestId: request.id },
      'could not tell the requester',
    );
    return false;
  }
}

/**
 * The requester may not read the approval channel: they hear it where they asked, privately,
 * or by direct message when that channel is gone or ftops is no longer in it. Called after the
 * request's own bookkeeping, so nothing is left to record once the requester has heard.
 */
export async function tellWhereAsked(
  g: Gate,
  request: ApprovalRequest,
  text: string,
): Promise<void> {
  if (!request.approvalChannel || request.approvalChannel === request.channel) return;
  try {
    await g.d.slack.chat.postEphemeral({ channel: request.channel, user: request.requester, text });
  } catch {
    try {
      await g.d.slack.chat.postMessage({ channel: request.requester, text });
    } catch (err) {
      g.d.logger?.warn(
        { err: errorText(err), requestId: request.id },
        'could not tell the requester where they asked, nor by direct message',
      );
    }
  }
}

/** After ftops closed a request whose job moved on: audited, message updated, requester told. */
export async function afterClose(
  g: Gate,
  request: ApprovalRequest,
  job: FineTuningJob | null,
  why: string,
  now: number,
): Promise<void> {
  await audit(g, {
    event: 'closed',
    who: 'system',
    action: request.action,
    jobId: request.jobId,
    requestId: request.id,
    outcome: why,
  });
  await refresh(g, request, job, now);
  await tellRequester(g, request, closedNotice(request, why));
  await tellWhereAsked(g, request, closedNotice(request, why));
}

/** After a request expired: audited, its buttons removed, its requester told. */
export async function afterExpiry(
  g: Gate,
  request: ApprovalRequest,
  now: number,
  who: string,
): Promise<void> {
  await audit(g, {
    event: 'expired',
    who,
    action: request.action,
    jobId: request.jobId,
    requestId: request.id,
    outcome: 'expired without a decision',
  });
  await refresh(g, request, null, now);
  await tellRequester(g, request, expiredNotice(request));
  await tellWhereAsked(g, request, expiredNotice(request));
}
