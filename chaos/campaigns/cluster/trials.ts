// Approval trials as people make them while the cluster fails over or moves a slot:
// `/ft pause`, then Approve by one approver (a vote) and by another (the decision), each asked
// again after "temporarily unavailable", as a person would.
import type { FineTuningJob } from '../../../src/api/schemas.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { APPROVER, TRAINING, type World } from '../../lib/world.ts';
import type { Answers } from '../redis-restart/answers.ts';
import { answeredClick, click, clickText, findApprovalRequest } from '../redis-restart/approval.ts';
import { type Sent, UNAVAILABLE } from '../redis-restart/plan.ts';
import { sleep } from '../redis-restart/send.ts';
import { APPROVER2, type Trial } from './plan.ts';

const TRIES = 12;
const RETRY_MS = 700;

type Command = (text: string, channel: string, jobId: string) => Promise<Sent>;

/** Runs one trial on `job` through the bots in turn; every answer is kept in the trial. */
export async function runTrial(
  w: World,
  bots: BotProcess[],
  command: (bot: BotProcess) => Command,
  answers: Answers,
  job: FineTuningJob,
  index: number,
): Promise<Trial> {
  const trial: Trial = {
    jobId: job.id,
    startedAt: Date.now(),
    clicks: [],
    asks: [],
    voteAcked: false,
    approvalAcked: false,
  };
  const botFor = (k: number) => bots[(index + k) % bots.length] as BotProcess;
  let request: Awaited<ReturnType<typeof findApprovalRequest>>;
  for (let k = 0; k < TRIES && !request; k++) {
    const sent = await command(botFor(k))(`pause ${job.id} failover drill`, TRAINING, job.id);
    await answers.answered(sent, 8000);
    const text = answers.answerText(sent);
    trial.asks.push({ sentAt: sent.sentAt, text });
    if (text && !text.includes(UNAVAILABLE)) request = await findApprovalRequest(w, job.id);
    if (!request) await sleep(RETRY_MS);
  }
  if (!request) return trial;
  trial.requestId = request.requestId;
  for (const [user, k0] of [
    [APPROVER, 1],
    [APPROVER2, 2],
  ] as const) {
    for (let k = 0; k < TRIES; k++) {
      const sentAt = Date.now();
      const c = await click(w, botFor(k0 + k), request, user);
      await answeredClick(w, c);
      const text = clickText(w, c);
      trial.clicks.push({ user, sentAt, text });
      if (text?.includes('recorded')) trial.voteAcked = true;
      if (text?.includes('Approved.')) trial.approvalAcked = true;
      if (text && !text.includes(UNAVAILABLE)) break;
      await sleep(RETRY_MS);
    }
  }
  return trial;
}
