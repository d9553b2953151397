import type { FineTuningJob } from '../../../src/api/schemas.ts';
import { slashCommandBody } from '../../../src/emulators/slack-signing.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { pick, waitUntil } from '../../lib/campaign.ts';
import { firstResponse } from '../../lib/posts-answers.ts';
import {
  approvalMessage,
  approveButton,
  approveClick,
  pauseCommand,
} from '../../lib/race-approval.ts';
import { type AuditEntry, lastAuditId, readAudit } from '../../lib/race-audit.ts';
import {
  type Answer,
  APPROVALS,
  APPROVER,
  REQUESTER,
  TRAINING,
  type World,
} from '../../lib/world.ts';
import { clickers, GROUP_APPROVERS, REASONS } from './people.ts';

export interface Click {
  user: string;
  /** 0 or 1: which web process it went to. */
  bot: number;
  responseUrl: string;
  ack?: Answer;
  ackError?: string;
}

export interface Trial {
  index: number;
  job: FineTuningJob;
  requester: string;
  requestId: string;
  messageTs: string;
  clicks: Click[];
  /** This request's audit entries, read as soon as every click was answered. */
  audit: AuditEntry[];
  /** The answer to `/ft audit <job>` by an approver afterwards, as JSON. */
  auditShown: string;
  /** Wall time of its phases: request posted, clicks acked, clicks answered, audit read. */
  phaseMs: [number, number, number, number];
  /** Problems found while setting the trial up (no request posted, no button, …). */
  setupProblem?: string;
}

/** One pause request, then 50 Approve clicks on it at once, alternating between the processes. */
export async function runTrial(
  world: World,
  bots: BotProcess[],
  random: () => number,
  index: number,
): Promise<Trial> {
  const job = world.ft.addJob();
  // Every other trial the requester is an approver too: four eyes must still refuse them.
  const requester =
    index % 2 === 0 ? REQUESTER : (GROUP_APPROVERS[pick(random, GROUP_APPROVERS.length)] as string);
  const reason = REASONS[pick(random, REASONS.length)] as string;
  const trial: Trial = {
    index,
    job,
    requester,
    requestId: '',
    messageTs: '',
    clicks: [],
    audit: [],
    auditShown: '',
    phaseMs: [0, 0, 0, 0],
  };
  let mark = performance.now();
  const lap = (phase: 0 | 1 | 2 | 3) => {
    const now = performance.now();
    trial.phaseMs[phase] = now - mark;
    mark = now;
  };
  // The audit stream is capped (~10,000 entries), so each trial reads its own entries at once.
  const auditFrom = await lastAuditId(world);

  // The requester asks the way a user does: `/ft pause <job> <reason>` in the training channel.
  const commandUrl = world.slack.responseUrl(TRAINING, requester);
  const asked = await world.signed(
    bots[index % 2] as BotProcess,
    pauseCommand(job.id, reason, requester, commandUrl),
  );
  if (asked.status !== 200) {
    trial.setupProblem = `the pause command was answered ${asked.status}`;
    return trial;
  }
  const message = await approvalMessage(world, job.id, 10_000, 10);
  if (!message) {
    trial.setupProblem = 'no approval request was posted to the approvals channel';
    return trial;
  }
  const approve = approveButton(message);
  if (!approve) {
    trial.setupProblem = 'the approval request has no Approve button';
    return trial;
  }
  lap(0);
  trial.requestId = approve.value;
  trial.messageTs = message.ts;

  // Alternate between the processes, starting with either, so neither always gets the first.
  const users = clickers(random, requester);
  const first = pick(random, 2);
  const clicks: Click[] = users.map((user, k) => ({
    user,
    bot: (k + first) % 2,
    responseUrl: world.slack.responseUrl(APPROVALS, user, message.ts),
  }));
  const shown = { ts: message.ts, text: message.text, blocks: message.blocks };
  const bodies = clicks.map((c) => approveClick(c.user, approve, c.responseUrl, shown, 'Approve'));
  await Promise.all(
    clicks.map(async (c, k) => {
      try {
        c.ack = await world.signed(bots[c.bot] as BotProcess, bodies[k] as string);
      } catch (err) {
        c.ackError = err instanceof Error ? err.message : String(err);
      }
    }),
  );
  trial.clicks = clicks;
  lap(1);
  // Wait until every click is answered (or 15 s): the next trial starts on a settled world.
  const answered = new Set<string>();
  await waitUntil(
    () => {
      for (const r of world.slack.responses) answered.add(r.url);
      return clicks.every((c) => answered.has(c.responseUrl));
    },
    15_000,
    10,
  );
  lap(2);
  trial.audit = (await readAudit(world, auditFrom)).filter((e) => e.requestId === trial.requestId);
  // And what an approver sees with `/ft audit <job>`.
  const auditUrl = world.slack.responseUrl(TRAINING, APPROVER);
  await world.signed(
    bots[(index + 1) % 2] as BotProcess,
    slashCommandBody({
      text: `audit ${job.id}`,
      user_id: APPROVER,
      channel_id: TRAINING,
      response_url: auditUrl,
    }),
  );
  const auditAnswer = await firstResponse(world, auditUrl, 10_000, 10);
  trial.auditShown = auditAnswer ? JSON.stringify(auditAnswer) : '';
  lap(3);
  return trial;
}
