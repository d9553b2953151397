import type { BotProcess } from '../../lib/bot-process.ts';
import { mapConcurrent, waitUntil } from '../../lib/campaign.ts';
import { firstAnswer } from '../../lib/posts-answers.ts';
import {
  approvalMessage,
  approveButton,
  approveClick,
  pauseCommand,
  requestClosed,
} from '../../lib/race-approval.ts';
import {
  type Answer,
  APPROVALS,
  APPROVER,
  REQUESTER,
  TRAINING,
  type World,
} from '../../lib/world.ts';
import type { Size } from './size.ts';

/** What happened to one approval, as the users saw it and as the emulator saw it. */
export interface ApprovalRecord {
  jobId: string;
  /** `/ft pause` attempts until one was accepted (or the last failed). */
  asks: number;
  /** Asks answered with a failure (no request made). */
  askFailures: number;
  requested: boolean;
  /** Answers posted to the requester's response_urls, one per ask. */
  requesterAnswers: string[];
  /** The approver's private answer. */
  approverAnswer?: string;
  /** The reply in the request's thread addressed to the requester. */
  threadReply?: string;
  /** The approval message after the decision: edited and without buttons. */
  messageClosed: boolean;
  outcome: 'done' | 'failed' | 'not-requested' | 'unknown';
  effects: number;
  acks: Answer[];
}

/** Per approval a running job, asked to pause and approved, `size.lanes` at a time. */
export async function runApprovals(
  world: World,
  bot: BotProcess,
  size: Size,
  log: (line: string) => void,
): Promise<ApprovalRecord[]> {
  let finished = 0;
  return mapConcurrent(
    Array.from({ length: size.approvals }, (_, i) => i),
    size.lanes,
    async (i) => {
      const job = world.ft.addJob({ suffix: `chaos-${i}` });
      const rec = await oneApproval(world, bot, job.id, size);
      finished++;
      if (finished % 50 === 0) log(`${finished} approvals done`);
      return rec;
    },
  );
}

async function oneApproval(
  world: World,
  bot: BotProcess,
  jobId: string,
  size: Size,
): Promise<ApprovalRecord> {
  const rec: ApprovalRecord = {
    jobId,
    asks: 0,
    askFailures: 0,
    requested: false,
    requesterAnswers: [],
    messageClosed: false,
    outcome: 'unknown',
    effects: 0,
    acks: [],
  };
  const { slack } = world;
  // The requester asks; a failure to read the job is answered, and a person asks again.
  for (let ask = 1; ask <= 3 && !rec.requested; ask++) {
    rec.asks = ask;
    const responseUrl = slack.responseUrl(TRAINING, REQUESTER);
    rec.acks.push(
      await world.signed(bot, pauseCommand(jobId, 'chaos: API faults', REQUESTER, responseUrl)),
    );
    const answer = await firstAnswer(world, responseUrl, size.stallMs);
    if (answer === undefined) return rec; // never told: counted as such
    rec.requesterAnswers.push(answer);
    if (answer.includes('waiting for approval')) rec.requested = true;
    else rec.askFailures++;
  }
  if (!rec.requested) {
    rec.outcome = 'not-requested';
    return rec;
  }

  const message = await approvalMessage(world, jobId, size.stallMs, 20);
  const approve = approveButton(message);
  if (!message || !approve) return rec;
  const ts = message.ts;

  const responseUrl = slack.responseUrl(APPROVALS, APPROVER, ts);
  rec.acks.push(await world.signed(bot, approveClick(APPROVER, approve, responseUrl, { ts })));
  rec.approverAnswer = await firstAnswer(world, responseUrl, size.stallMs);
  await waitUntil(
    () => {
      rec.threadReply = (slack.messages.get(APPROVALS) ?? []).find(
        (m) => m.thread_ts === ts && m.text.includes(`<@${REQUESTER}>`),
      )?.text;
      return rec.threadReply !== undefined;
    },
    size.stallMs,
    20,
  );
  rec.messageClosed = requestClosed(world, ts);
  const a = rec.approverAnswer ?? '';
  rec.outcome = a.startsWith('Approved, but it failed')
    ? 'failed'
    : a.startsWith('Approved.')
      ? 'done'
      : 'unknown';
  return rec;
}
