import type { FineTuningJob } from '../api/schemas.ts';
import { APPROVE_REQUEST, DENY_REQUEST } from './action-ids.ts';
import {
  actionsBlock,
  button,
  contextBlock,
  fieldsBlock,
  headerBlock,
  sectionBlock,
} from './blocks.ts';
import { jobFields } from './job-card.ts';
import { fitMessage } from './limits.ts';
import {
  code,
  EMPTY,
  escapeInline,
  escapeMrkdwn,
  groupMention,
  joinMd,
  type Mrkdwn,
  md,
  slackDate,
  timeAgo,
  truncate,
  userMention,
} from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** Where an approval request stands. */
export type ApprovalState =
  | 'pending'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'executed'
  | 'failed'
  | 'cancelled'
  | 'closed';

/** Everything the approval message shows. Times are milliseconds since the epoch. */
export interface ApprovalRequestViewInput {
  requestId: string;
  /** The gated action, e.g. `pause`. */
  action: string;
  job: FineTuningJob;
  /** Slack user ID of whoever asked. */
  requester: string;
  /** The requester's reason, raw (escaped here). */
  reason: string | null;
  /** The job's training numbers when it was asked, raw (escaped here). */
  evidence?: string | null;
  /** Validated `S…` user-group IDs from config; mentioned so the group is notified. */
  approverGroups: readonly string[];
  /** Validated `U…`/`W…` user IDs from config. */
  approverUsers: readonly string[];
  approvalsRequired: number;
  /** User IDs that approved so far. */
  approvals: readonly string[];
  /** Voters whose votes lapsed when the decision was taken: they no longer held the role. */
  lapsed?: readonly string[];
  expiresAt: number;
  state: ApprovalState;
  /** Who decided (denied, or gave the last approval). */
  decidedBy?: string | null;
  decidedAt?: number | null;
  /** What happened when the action ran, or why it did not; raw text. */
  outcome?: string | null;
  now: number;
}

const ACTION_EMOJI: Record<string, string> = { pause: '⏸️', resume: '▶️', cancel: '🚫' };

/** Seconds for a date token from milliseconds. */
const sec = (ms: number) => Math.floor(ms / 1000);

function decisionLine(input: ApprovalRequestViewInput, expired: boolean): Mrkdwn {
  const by = input.decidedBy ? md` by ${userMention(input.decidedBy)}` : EMPTY;
  const at = input.decidedAt ? md` ${slackDate(sec(input.decidedAt))}` : EMPTY;
  const outcome = input.outcome ? md`: ${escapeInline(truncate(input.outcome, 500))}` : EMPTY;
  if (expired)
    return md`⌛ *Expired* ${slackDate(sec(input.expiresAt))} without enough approvals. Nothing was done.`;
  switch (input.state) {
    case 'approved':
      return md`✅ *Approved*${by}${at}${outcome}`;
    case 'denied':
      return md`⛔ *Denied*${by}${at}${outcome}. Nothing was done.`;
    case 'executed':
      return md`✅ *Done*: approved${by}${at}, and the job was asked to ${escapeInline(input.action)}${outcome}`;
    case 'failed':
      return md`❌ *Approved${by}, but it failed*${at}${outcome}`;
    case 'closed':
      return md`🔒 *Closed by ftops*${at}${outcome}. Nothing was done.`;
    case 'cancelled':
      return md`🚫 *Withdrawn*${by}${at}${outcome}. Nothing was done.`;
    default:
      return md`*${escapeInline(input.state)}*${by}${at}${outcome}`;
  }
}

/**
 * The approval request message: what is asked and why, who may approve, progress, and
 * Approve/Deny buttons whose value is the request ID alone — present only while pending.
 */
export function approvalRequestView(input: ApprovalRequestViewInput): MessageView {
  const action = escapeInline(truncate(input.action, 40));
  // Own keys only: an action word like `toString` must not find Object.prototype's.
  const emoji = (Object.hasOwn(ACTION_EMOJI, input.action) && ACTION_EMOJI[input.action]) || '🔐';
  const expired =
    input.state === 'expired' || (input.state === 'pending' && input.now >= input.expiresAt);
  const pending = input.state === 'pending' && !expired;

  const asks = md`${userMention(input.requester)} asks to *${action}* ${code(input.job.id)}.`;
  const reason = input.reason
    ? md`\n*Reason:*\n${joinMd(
        truncate(input.reason, 1000)
          .split('\n')
          .map((l) => md`>${escapeMrkdwn(l)}`),
        '\n',
      )}`
    : md`\n_No reason given._`;
  const approvers = [
    ...input.approverGroups.map(groupMention),
    ...input.approverUsers.map(userMention),
  ];
  const who =
    approvers.length > 0 ? joinMd(approvers.slice(0, 30), ' ') : md`_nobody is configured_`;
  const got = input.approvals.length;
  const progress = md`${got} of ${input.approvalsRequired} approval${input.approvalsRequired === 1 ? EMPTY : md`s`}${
    got > 0 ? md`: ${joinMd(input.approvals.slice(0, 20).map(userMention), ', ')}` : EMPTY
  }${
    input.lapsed && input.lapsed.length > 0
      ? md`\n_Not counted:_ ${joinMd(input.lapsed.slice(0, 20).map(userMention), ', ')} voted but no longer ${input.lapsed.length === 1 ? md`holds` : md`hold`} the approver role.`
      : EMPTY
  }`;

  const blocks = [
    headerBlock(
      `${emoji} Approval ${pending ? 'needed' : 'request'}: ${input.action} ${input.job.id}`,
    ),
    sectionBlock(md`${asks}${reason}`),
    ...(input.evidence
      ? [sectionBlock(md`📈 *Training when asked:* ${escapeMrkdwn(truncate(input.evidence, 500))}`)]
      : []),
    fieldsBlock(jobFields(input.job, input.now)),
    sectionBlock(md`*Approvers:* ${who}\n*Progress:* ${progress}`),
  ];
  if (pending) {
    blocks.push(
      contextBlock(
        md`Expires ${slackDate(sec(input.expiresAt))} (${escapeMrkdwn(timeAgo(sec(input.expiresAt), input.now))}). The requester cannot approve their own request.`,
      ),
    );
    blocks.push(
      ...actionsBlock([
        button({
          text: '✅ Approve',
          actionId: APPROVE_REQUEST,
          value: input.requestId,
          style: 'primary',
        }),
        button({
          text: '⛔ Deny',
          actionId: DENY_REQUEST,
          value: input.requestId,
          style: 'danger',
        }),
      ]),
    );
  } else {
    blocks.push(sectionBlock(decisionLine(input, expired)));
  }
  blocks.push(contextBlock(md`Request ${code(truncate(input.requestId, 100))}`));

  const text = pending
    ? md`${escapeMrkdwn(emoji)} ${userMention(input.requester)} asks to ${action} ${code(input.job.id)}; approvers: ${who}`
    : md`${escapeMrkdwn(emoji)} Request to ${action} ${code(input.job.id)}: ${expired ? md`expired` : escapeInline(input.state)}`;
  return fitMessage({ text, blocks });
}
