import { headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import {
  code,
  EMPTY,
  escapeInline,
  md,
  slackDate,
  timeAgo,
  truncate,
  userMention,
} from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One approval request as the list shows it. Times are milliseconds since the epoch. */
export interface ApprovalSummary {
  requestId: string;
  action: string;
  jobId: string;
  requester: string;
  approvals: readonly string[];
  approvalsRequired: number;
  expiresAt: number;
  reason?: string | null;
}

/** `/ft approvals`: the requests waiting for a decision, soonest to expire first as given. */
export function approvalsListView(
  requests: readonly ApprovalSummary[],
  opts: { now: number },
): MessageView {
  if (requests.length === 0) {
    const none = md`No approval requests are waiting.`;
    return fitMessage({ text: none, blocks: [sectionBlock(none)] });
  }
  const lines = requests.map((r) => {
    const exp = Math.floor(r.expiresAt / 1000);
    const reason = r.reason ? md` — “${escapeInline(truncate(r.reason, 120))}”` : EMPTY;
    return md`• *${escapeInline(truncate(r.action, 40))}* ${code(r.jobId)} by ${userMention(r.requester)} · ${r.approvals.length}/${r.approvalsRequired} approvals · expires ${slackDate(exp)} (${escapeInline(timeAgo(exp, opts.now))})${reason}`;
  });
  const blocks = [
    headerBlock(`Approval requests (${requests.length})`),
    ...lineBlocks(lines, { maxBlocks: 48, noun: 'requests' }),
  ];
  return fitMessage({ text: md`${requests.length} approval requests waiting`, blocks });
}
