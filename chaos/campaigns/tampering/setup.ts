// The genuine state every tampered click starts from: job cards as each user sees them, approval
// requests and open reason modals, all made the way users make them, and kept topped up.
import { buttonsOf } from '../../../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
} from '../../../src/emulators/slack-signing.ts';
import {
  APPROVE_REQUEST,
  CANCEL_JOB,
  DENY_MODAL,
  PAUSE_JOB,
} from '../../../src/views/action-ids.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { waitUntil } from '../../lib/campaign.ts';
import { APPROVALS, APPROVER, TRAINING, type World } from '../../lib/world.ts';
import type { Foreign } from './foreign.ts';
import {
  type Button,
  type Card,
  DONE_LOGS,
  type Draws,
  GROUPIE,
  type ModalRef,
  type Request,
  USERS,
} from './plan.ts';

/** The world as set up, the pools of genuine state, and the moves that refill them. */
export interface Setup {
  world: World;
  bot: BotProcess;
  foreign: Foreign;
  draws: Draws;
  running: string[];
  paused: string[];
  jobs: string[];
  cards: Card[];
  requests: Request[];
  refs: ModalRef[];
  usedRefs: string[];
  /** Grows whenever a click's handling ends: an answer, a modal, an ephemeral, a done log. */
  /** Answers so far: anything that ends a click's handling, an ephemeral counting only for `user`. */
  progress(user: string): number;
  makeRequest(): Promise<void>;
  noteNewRefs(fromCall: number, user: string): void;
  openModal(user: string): Promise<void>;
}

export async function setUp(
  world: World,
  foreign: Foreign,
  draws: Draws,
  log: (line: string) => void,
): Promise<Setup> {
  const { choose } = draws;
  world.slack.addUser({ id: GROUPIE, name: 'gus' });
  world.slack.setUsergroup('S0APPROVERS', [APPROVER, GROUPIE]);
  const bot = await world.startBot('tampering', { role: 'web', fastRetry: true });
  const slack = world.slack;
  const ft = world.ft;

  const running = Array.from({ length: 6 }, (_, i) =>
    ft.addJob({ user_provided_suffix: `tamper-run-${i}` }),
  ).map((j) => j.id);
  const paused = Array.from({ length: 2 }, (_, i) =>
    ft.addJob({ status: 'paused', user_provided_suffix: `tamper-paused-${i}` }),
  ).map((j) => j.id);
  const jobs = [...running, ...paused];

  let logScanned = 0;
  let doneLogs = 0;
  const progress = (user: string) => {
    for (; logScanned < bot.lines.length; logScanned++) {
      const line = bot.lines[logScanned] ?? '';
      if (DONE_LOGS.some((m) => line.includes(m))) doneLogs++;
    }
    return (
      slack.responses.length +
      foreign.received.length +
      slack.callsTo('views.open').length +
      // A requester told of a decision where they asked is not the clicker's answer.
      slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === user).length +
      doneLogs
    );
  };

  const command = async (user: string, text: string): Promise<string> => {
    const url = slack.responseUrl(TRAINING, user);
    const ack = await world.signed(
      bot,
      slashCommandBody({ text, user_id: user, channel_id: TRAINING, response_url: url }),
    );
    if (ack.status !== 200) throw new Error(`/ft ${text} was answered ${ack.status}`);
    const ok = await waitUntil(() => slack.responses.some((r) => r.url === url), 5_000, 10);
    if (!ok) throw new Error(`/ft ${text} got no answer`);
    return JSON.stringify(slack.responses.find((r) => r.url === url)?.body ?? {});
  };

  // Genuine job cards, as each user sees them.
  const cards: Card[] = [];
  for (const user of USERS) {
    for (const jobId of jobs) {
      await command(user, `status ${jobId}`);
      const msg = (slack.messages.get(TRAINING) ?? []).findLast(
        (m) => m.visibleTo === user && m.text.includes(jobId) && buttonsOf(m.blocks).length > 0,
      );
      if (!msg) throw new Error(`no card for ${jobId}`);
      cards.push({
        jobId,
        user,
        ts: msg.ts,
        text: msg.text,
        blocks: msg.blocks ?? [],
        buttons: buttonsOf(msg.blocks),
      });
    }
  }

  // Genuine approval requests, made the way users make them.
  const requests: Request[] = [];
  const makeRequest = async () => {
    const jobId = choose(running);
    if (ft.getJob(jobId)?.status !== 'running') ft.setStatus(jobId, 'running');
    const user = choose(USERS);
    const action = choose(['pause', 'cancel']);
    const answer = await command(user, `${action} ${jobId} tamper test ${requests.length}`);
    if (!answer.includes('waiting for approval')) throw new Error(`no request: ${answer}`);
    const known = new Set(requests.map((r) => r.id));
    const msg = (slack.messages.get(APPROVALS) ?? []).find((m) => {
      const approve = buttonsOf(m.blocks).find((b) => b.actionId === APPROVE_REQUEST);
      return !m.ephemeral && approve && !known.has(approve.value);
    });
    const buttons = buttonsOf(msg?.blocks);
    const id = buttons.find((b) => b.actionId === APPROVE_REQUEST)?.value;
    if (!msg || !id) throw new Error('the request message was not posted');
    requests.push({
      id,
      jobId,
      requester: user,
      ts: msg.ts,
      text: msg.text,
      blocks: msg.blocks ?? [],
      buttons,
    });
  };
  for (let i = 0; i < 6; i++) await makeRequest();

  // Open reason modals: genuine Pause/Cancel clicks; their references feed the pool.
  const refs: ModalRef[] = [];
  const usedRefs: string[] = [];
  const noteNewRefs = (fromCall: number, user: string) => {
    for (const call of slack.callsTo('views.open').slice(fromCall)) {
      const view = call.args.view as
        | { private_metadata?: string; callback_id?: string }
        | undefined;
      // The pool is of reason modals; a Deny's modal names a request, not a job.
      if (view?.callback_id === DENY_MODAL) continue;
      const ref = view?.private_metadata;
      if (ref && !refs.some((r) => r.id === ref)) refs.push({ id: ref, user });
    }
  };
  const openModal = async (user: string) => {
    const card = choose(cards.filter((c) => c.user === user && gateButtons(c).length > 0));
    const button = choose(gateButtons(card));
    const calls = slack.callsTo('views.open').length;
    await world.signed(
      bot,
      blockActionsBody(
        blockActionsPayload({
          user,
          channel: TRAINING,
          actionId: button.actionId,
          value: button.value,
          blockId: button.blockId,
          responseUrl: slack.responseUrl(TRAINING, user, card.ts),
          message: { ts: card.ts, ephemeral: true },
        }),
      ),
    );
    await waitUntil(() => slack.callsTo('views.open').length > calls, 5_000, 10);
    noteNewRefs(calls, user);
  };
  for (const user of USERS) for (let i = 0; i < 2; i++) await openModal(user);
  log(
    `set up: ${jobs.length} jobs, ${cards.length} cards, ${requests.length} requests, ${refs.length} modals`,
  );
  return {
    world,
    bot,
    foreign,
    draws,
    running,
    paused,
    jobs,
    cards,
    requests,
    refs,
    usedRefs,
    progress,
    makeRequest,
    noteNewRefs,
    openModal,
  };
}

function gateButtons(card: Card): Button[] {
  return card.buttons.filter((b) => b.actionId === PAUSE_JOB || b.actionId === CANCEL_JOB);
}
