import {
  channelRef,
  code,
  EMPTY,
  escapeInline,
  joinMd,
  type Mrkdwn,
  md,
  truncate,
  truncateMrkdwn,
  userMention,
} from './mrkdwn.ts';
import type { MessageBody } from './types.ts';

/**
 * The approval gate's words: its private replies, the refusals of clicks, the dry run and what
 * the requester is told in the request's thread. The gate decides; these say it.
 */

/** A plain ephemeral reply. */
export function reply(text: Mrkdwn): MessageBody {
  return { text };
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A Slack date token: every reader sees it in their own time zone. */
export function requestDate(ms: number): Mrkdwn {
  const s = Math.floor(ms / 1000);
  return md`<!date^${s}^{date_short_pretty} at {time}|at ${escapeInline(new Date(ms).toISOString())}>`;
}

/** Why posting the request failed, with what to do about it. */
export function postFailureText(
  slackError: string | null,
  channel: string,
  fallback: string,
): Mrkdwn {
  if (slackError === 'not_in_channel' || slackError === 'channel_not_found') {
    return md`ftops is not in ${channelRef(channel)}; invite it there (\`/invite @ftops\`) and ask again.`;
  }
  if (slackError === 'is_archived')
    return md`${channelRef(channel)} is archived; set FT_APPROVAL_CHANNEL to a live channel.`;
  return md`Slack answered ${escapeInline(slackError ?? fallback)}.`;
}

/** Why a click on a request was not counted. */
export type ClickRefusalReason = 'not_approver' | 'is_requester' | 'expired' | 'already_decided';

/** The reply to a click that was not counted. */
export function clickRefusalText(
  reason: ClickRefusalReason,
  request: {
    action: string;
    jobId: string;
    expiresAt: number;
    state: string;
    decidedBy?: string | null;
  },
  ctx: { mention: Mrkdwn; problems: readonly string[] },
): Mrkdwn {
  switch (reason) {
    case 'not_approver': {
      const why = ctx.problems.length
        ? md` ${joinMd(
            ctx.problems.map((p) => escapeInline(p)),
            ' ',
          )}`
        : EMPTY;
      return md`Only approvers${ctx.mention ? md` (${ctx.mention})` : EMPTY} can decide this request, so your click was not counted.${why}`;
    }
    case 'is_requester':
      return md`You asked for this, so you cannot decide it: another approver must (four eyes).`;
    case 'expired':
      return md`This request expired ${requestDate(request.expiresAt)}, so nothing was done. Ask again with ${code(`/ft ${request.action} ${request.jobId}`)} if it is still needed.`;
    case 'already_decided': {
      const by = request.decidedBy ? md` by ${userMention(request.decidedBy)}` : EMPTY;
      return md`This request was already ${escapeInline(request.state)}${by}, so your click changed nothing.`;
    }
  }
}

/** Everything `pause|resume|cancel --dry-run` shows. */
export interface DryRunInput {
  action: string;
  jobId: string;
  status: string;
  allowed: { ok: true } | { ok: false; reason: string };
  /** How the action would be decided. */
  decision: 'run-now' | 'run-now-self-authorised' | 'run-now-approver' | 'needs-approval';
  approvalsRequired: number;
  /** The approvers as mentions; empty when none are configured. */
  mention: Mrkdwn;
  /** Where the request would be posted. */
  channel: string;
  /** The API call that would be made, e.g. `POST /fine_tuning/jobs/ftjob-x/pause`. */
  apiCall: string;
  /** Role lookups that failed, said as they are. */
  problems: readonly string[];
  /** The approved action this one would undo (a pause approvers agreed to), if any. */
  undoes?: { action: string; by: string } | null;
}

/** What a `--dry-run` would do, without doing it. */
export function dryRunText(input: DryRunInput): Mrkdwn {
  const action = escapeInline(truncate(input.action, 40));
  const approval =
    input.decision === 'run-now'
      ? md`not needed: ${action} is not gated`
      : input.decision === 'run-now-self-authorised'
        ? md`not needed: you are an approver and self-service is on, so it would run at once (self-authorised)`
        : input.decision === 'run-now-approver'
          ? md`not needed: it undoes the ${escapeInline(input.undoes?.action ?? 'action')} approvers agreed to, and you are an approver`
          : md`${input.approvalsRequired} approver(s) other than you, from ${input.mention ? truncateMrkdwn(input.mention, 600) : md`nobody (FT_APPROVER_IDS is empty)`}, in ${channelRef(input.channel)}`;
  const lines = [
    md`*Dry run* of ${action} ${code(truncate(input.jobId, 128))}; nothing was changed.`,
    md`• State now: ${code(truncate(input.status, 60))}`,
    md`• Allowed now: ${input.allowed.ok ? md`yes` : md`no: ${escapeInline(truncate(input.allowed.reason, 500))}`}`,
    md`• Approval: ${approval}`,
    md`• API call: ${code(truncate(input.apiCall, 300))}`,
  ];
  if (input.undoes)
    lines.push(
      md`• Rule: it would undo the ${escapeInline(input.undoes.action)} approved by ${userMention(input.undoes.by)}, so only an approver may do it without asking`,
    );
  const problems = input.problems.slice(0, 5).map((p) => escapeInline(truncate(p, 200)));
  if (problems.length) lines.push(md`• Note: ${joinMd(problems, ' ')}`);
  return joinMd(lines, '\n');
}

/** What the requester hears in the thread when their request expired. */
export function expiredNotice(request: {
  requester: string;
  action: string;
  jobId: string;
}): Mrkdwn {
  return md`${userMention(request.requester)} your request to ${escapeInline(request.action)} ${code(request.jobId)} expired without a decision. Nothing was changed; ask again if it is still needed.`;
}

/** What the requester hears in the thread when ftops closed their request: the job moved on. */
export function closedNotice(
  request: { requester: string; action: string; jobId: string },
  why: string,
): Mrkdwn {
  return md`${userMention(request.requester)} your request to ${escapeInline(request.action)} ${code(request.jobId)} was closed: ${escapeInline(why)}. Nothing was changed.`;
}

/** What the requester hears in the thread when their request was denied. */
export function deniedNotice(
  request: { requester: string; action: string; jobId: string },
  decider: string,
  reason = '',
): Mrkdwn {
  const why = reason ? md` Their reason: “${escapeInline(truncate(reason, 500))}”.` : EMPTY;
  return md`${userMention(request.requester)} your request to ${escapeInline(request.action)} ${code(request.jobId)} was denied by ${userMention(decider)}. Nothing was changed.${why}`;
}

/** What the requester hears in the thread once their approved request was carried out (or not). */
export function outcomeNotice(r: {
  requester: string;
  action: string;
  jobId: string;
  approver: string;
  ok: boolean;
  outcome: string;
  recovered: boolean;
}): Mrkdwn {
  const note = r.recovered
    ? md` (finished by ftops after the process that approved it stopped before recording the outcome)`
    : EMPTY;
  const asked = md`${userMention(r.requester)} your request to ${escapeInline(r.action)} ${code(r.jobId)} was approved by ${userMention(r.approver)}`;
  return r.ok
    ? md`${asked}. ${escapeInline(r.outcome)}.${note}`
    : md`${asked}, but it failed: ${escapeInline(r.outcome)}${note}`;
}
