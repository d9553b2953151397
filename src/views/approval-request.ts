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
  escapeInline,
  escapeMrkdwn,
  groupMention,
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
  | 'cancelled';

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
  /** Validated `S…` user-group IDs from config; mentioned so the group is notified. */
  approverGroups: readonly string[];
  /** Validated `U…`/`W…` user IDs from config. */
  approverUsers: readonly string[];
  approvalsRequired: number;
  /** User IDs that approved so far. */
  approvals: readonly string[];
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

function decisionLine(input: ApprovalRequestViewInput, expired: boolean): string {
  const by = input.decidedBy ? ` by ${userMention(input.decidedBy)}` : '';
  const at = input.decidedAt ? ` ${slackDate(sec(input.decidedAt))}` : '';
  const outcome = input.outcome ? `: ${escapeInline(truncate(input.outcome, 500))}` : '';
  if (expired)
    return `⌛ *Expired* ${slackDate(sec(input.expiresAt))} without enough approvals. Nothing was done.`;
  switch (input.state) {
    case 'approved':
      return `✅ *Approved*${by}${at}${outcome}`;
    case 'denied':
      return `⛔ *Denied*${by}${at}${outcome}. Nothing was done.`;
    case 'executed':
      return `✅ *Done*: approved${by}${at}, and the job was asked to ${escapeInline(input.action)}${outcome}`;
    case 'failed':
      return `❌ *Approved${by}, but it failed*${at}${outcome}`;
    case 'cancelled':
      return `🚫 *Withdrawn*${by}${at}${outcome}. Nothing was done.`;
    default:
      return `*${escapeInline(input.state)}*${by}${at}${outcome}`;
  }
}

/**
 * The approval request message: what is asked and why, who may approve, progress, and
 * Approve/Deny buttons whose value is the request ID alone — present only while pending.
 */
export function approvalRequestView(input: ApprovalRequestViewInput): MessageView {
  const action = escapeInline(truncate(input.action, 40));
  const emoji = ACTION_EMOJI[input.action] ?? '🔐';
  const expired =
    input.state === 'expired' || (input.state === 'pending' && input.now >= input.expiresAt);
  const pending = input.state === 'pending' && !expired;

  const asks = `${userMention(input.requester)} asks to *${action}* ${code(input.job.id)}.`;
  const reason = input.reason
    ? `\n*Reason:*\n${escapeMrkdwn(truncate(input.reason, 1000))
        .split('\n')
        .map((l) => `>${l}`)
        .join('\n')}`
    : '\n_No reason given._';
  const approvers = [
    ...input.approverGroups.map(groupMention),
    ...input.approverUsers.map(userMention),
  ];
  const who = approvers.length > 0 ? approvers.slice(0, 30).join(' ') : '_nobody is configured_';
  const got = input.approvals.length;
  const progress = `${got} of ${input.approvalsRequired} approval${input.approvalsRequired === 1 ? '' : 's'}${
    got > 0 ? `: ${input.approvals.slice(0, 20).map(userMention).join(', ')}` : ''
  }`;

  const blocks = [
    headerBlock(
      `${emoji} Approval ${pending ? 'needed' : 'request'}: ${input.action} ${input.job.id}`,
    ),
    sectionBlock(`${asks}${reason}`),
    fieldsBlock(jobFields(input.job, input.now)),
    sectionBlock(`*Approvers:* ${who}\n*Progress:* ${progress}`),
  ];
  if (pending) {
    blocks.push(
      contextBlock(
        `Expires ${slackDate(sec(input.expiresAt))} (${timeAgo(sec(input.expiresAt), input.now)}). The requester cannot approve their own request.`,
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
  blocks.push(contextBlock(`Request ${code(truncate(input.requestId, 100))}`));

  const text = pending
    ? `${emoji} ${userMention(input.requester)} asks to ${action} ${code(input.job.id)}; approvers: ${who}`
    : `${emoji} Request to ${action} ${code(input.job.id)}: ${expired ? 'expired' : escapeInline(input.state)}`;
  return fitMessage({ text, blocks });
}
