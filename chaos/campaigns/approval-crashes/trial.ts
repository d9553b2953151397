import { setTimeout as sleep } from 'node:timers/promises';
import type { FineTuningJob } from '../../../src/api/schemas.ts';
import type { ApprovalStore } from '../../../src/store/approvals.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { waitUntil } from '../../lib/campaign.ts';
import { sigkill } from '../../lib/kills.ts';
import {
  approvalMessage,
  approveButton,
  approveClick,
  pauseCommand,
  threadReplies,
} from '../../lib/race-approval.ts';
import { APPROVALS, APPROVER, REQUESTER, TRAINING, type World } from '../../lib/world.ts';
import type { Armed } from './kill-at-api.ts';
import { GRACE_MS, type Plan } from './plan.ts';

export interface Trial extends Plan {
  job: FineTuningJob;
  requestId: string;
  messageTs: string;
  /** The kill happened (the held request was seen, or the delay passed) and the bot exited. */
  killed: boolean;
  killSignal?: string;
  /** The click was lost with the process (the request still pending): clicked again. */
  clickedAgain: boolean;
  /** When the request was finished (executed/failed) as seen from Redis, after the kill. */
  settled: boolean;
  setupProblem?: string;
}

/**
 * One trial on one lane: `/ft pause`, Approve, the lane's web process killed at the planned
 * moment and restarted, then a wait until the request is finished and the requester told.
 */
export async function runTrial(
  world: World,
  store: ApprovalStore,
  armed: Map<string, Armed>,
  lane: { bot: BotProcess; restarts: number },
  laneIndex: number,
  plan: Plan,
): Promise<Trial> {
  const job = world.ft.addJob();
  const trial: Trial = {
    ...plan,
    job,
    requestId: '',
    messageTs: '',
    killed: false,
    clickedAgain: false,
    settled: false,
  };
  const asked = await world.signed(
    lane.bot,
    pauseCommand(job.id, plan.reason, REQUESTER, world.slack.responseUrl(TRAINING, REQUESTER)),
  );
  if (asked.status !== 200) {
    trial.setupProblem = `the pause command was answered ${asked.status}`;
    return trial;
  }
  const message = await approvalMessage(world, job.id, 10_000, 10);
  const approve = approveButton(message);
  if (!message || !approve) {
    trial.setupProblem = 'no approval request with an Approve button was posted';
    return trial;
  }
  trial.requestId = approve.value;
  trial.messageTs = message.ts;
  const click = () =>
    approveClick(
      APPROVER,
      approve,
      world.slack.responseUrl(APPROVALS, APPROVER, message.ts),
      { ts: message.ts, text: message.text, blocks: message.blocks },
      'Approve',
    );

  const path = `/fine_tuning/jobs/${job.id}/pause`;
  const dying = lane.bot;
  const held: Armed | undefined =
    plan.moment === 'after-click'
      ? undefined
      : {
          stage: plan.moment === 'before-effect' ? 'received' : 'handled',
          bot: () => dying,
          fired: false,
          killed: false,
        };
  if (held) armed.set(path, held);
  // The ack comes before the work, so the click's answer does not tell when to kill.
  await world.signed(dying, click()).catch(() => undefined);
  if (held) {
    await waitUntil(() => held.killed, 10_000, 5);
    trial.killed = held.killed;
    trial.killSignal = held.signal;
  } else {
    await sleep(plan.delayMs);
    trial.killSignal = await sigkill(dying);
    trial.killed = true;
  }
  armed.delete(path);

  // Back up again, as a supervisor would restart it; the worker recovers meanwhile.
  lane.restarts++;
  lane.bot = await world.startBot(`web-${laneIndex}-${lane.restarts}`, { role: 'web' });
  const stateNow = (await store.get(trial.requestId))?.state;
  if (stateNow === 'pending') {
    // The process died between acking the click and counting it: the buttons are still
    // there, so the approver clicks again, on the restarted process.
    trial.clickedAgain = true;
    await world.signed(lane.bot, click()).catch(() => undefined);
  }
  trial.settled = await waitUntil(
    async () => {
      const state = (await store.get(trial.requestId))?.state;
      return state === 'executed' || state === 'failed';
    },
    GRACE_MS + 15_000,
    50,
  );
  // The requester's reply is posted just after the outcome is recorded.
  await waitUntil(() => threadReplies(world, trial.messageTs).length > 0, 5_000, 20);
  return trial;
}
