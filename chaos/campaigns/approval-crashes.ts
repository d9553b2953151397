import type { FineTuningJob } from '../../src/api/schemas.ts';
import type { HeldRequest } from '../../src/emulators/fine-tuning/index.ts';
import type { SlackMessage } from '../../src/emulators/slack/index.ts';
import { buttonsOf } from '../../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
} from '../../src/emulators/slack-signing.ts';
import { ApprovalStore } from '../../src/store/approvals.ts';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import type { BotProcess } from '../lib/bot-process.ts';
import {
  type Campaign,
  type CampaignResult,
  n,
  pick,
  type Row,
  seededRandom,
  shuffle,
  waitUntil,
} from '../lib/campaign.ts';
import { APPROVALS, APPROVER, REQUESTER, startWorld, TRAINING, type World } from '../lib/world.ts';

/**
 * Campaign 9, approval crashes: the web process that counted the deciding Approve click is
 * SIGKILLed while it executes the pause, at one of three moments chosen by seed: when its
 * POST …/pause reaches the API (held there, so it has no effect), after the API applied the
 * pause but before it answered, or a random short delay after the click was acked. A worker
 * with a short recovery grace must take over every request left `approved`, and the job must
 * be paused exactly once, the request finished in the approver's name, and the requester told
 * once in the approval thread. The web process is restarted after every kill.
 */

const MOMENTS = ['before-effect', 'after-effect', 'after-click'] as const;
type Moment = (typeof MOMENTS)[number];
const MOMENT_TEXT: Record<Moment, string> = {
  'before-effect': 'POST …/pause held on arrival, before its effect',
  'after-effect': 'POST …/pause held after its effect, before the answer',
  'after-click': 'a random 0–100 ms after the click was acked',
};
/** The worker's recovery grace and sweep interval (10 min and 30 s in production). */
const GRACE_MS = 2_000;
const SWEEP_MS = 500;
/** Web processes taking trials side by side, each with its own jobs. */
const LANES = 2;
const REASONS = ['eval loss diverged', 'need the GPUs', 'wrong learning rate', 'data leak'];

interface Plan {
  index: number;
  moment: Moment;
  /** For `after-click`: ms between the ack and the kill. */
  delayMs: number;
  reason: string;
}

interface Trial extends Plan {
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

interface Armed {
  stage: HeldRequest['stage'];
  bot: () => BotProcess;
  fired: boolean;
  killed: boolean;
  signal?: string;
}

export const runApprovalCrashes: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const total = opts.full ? 40 : 4;
  // Every moment equally often (the short version: each once, then one more), in seeded order.
  const moments: Moment[] = Array.from(
    { length: total },
    (_, i) => MOMENTS[i % MOMENTS.length] as Moment,
  );
  shuffle(random, moments);
  const plans: Plan[] = moments.map((moment, index) => ({
    index,
    moment,
    delayMs: moment === 'after-click' ? pick(random, 101) : 0,
    reason: REASONS[pick(random, REASONS.length)] as string,
  }));

  const world = await startWorld({ evidence: opts.evidence });
  const armed = new Map<string, Armed>();
  let result: CampaignResult;
  try {
    world.ft.onRequest(async (req) => {
      if (req.method !== 'POST') return;
      const plan = armed.get(req.path);
      if (!plan || plan.fired || plan.stage !== req.stage) return;
      plan.fired = true;
      const bot = plan.bot();
      await bot.kill('SIGKILL');
      plan.signal = (await bot.exited).signal ?? 'none';
      // The kernel closes the dead process's sockets; let the emulator see it before going on.
      await waitUntil(req.clientGone, 2_000, 5);
      plan.killed = true;
    });
    const [worker, ...webs] = await Promise.all([
      world.startBot('worker', {
        role: 'worker',
        recoveryGraceMs: GRACE_MS,
        approvalSweepMs: SWEEP_MS,
      }),
      ...Array.from({ length: LANES }, (_, l) => world.startBot(`web-${l}`, { role: 'web' })),
    ]);
    log(`worker (pid ${worker?.pid}) and ${webs.length} web processes up`);
    const lanes = webs.map((bot) => ({ bot, restarts: 0 }));
    const store = new ApprovalStore({ redis: world.redis, keys: world.keys });
    const trials: Trial[] = [];
    let done = 0;
    await Promise.all(
      lanes.map(async (lane, l) => {
        for (const plan of plans.filter((p) => p.index % LANES === l)) {
          trials.push(await runTrial(world, store, armed, lane, l, plan));
          done++;
          if (done % 10 === 0) log(`${done} of ${total} trials`);
        }
      }),
    );
    trials.sort((a, b) => a.index - b.index);
    // A late second pause or a second "approved" reply would come from a later sweep.
    await new Promise((r) => setTimeout(r, GRACE_MS + SWEEP_MS));
    result = {
      name: 'approval-crashes',
      title: '2b. Approval crashes',
      rows: await judge(
        world,
        store,
        worker as BotProcess,
        trials,
        opts.evidence.canaries.AZURE_OPENAI_API_KEY,
      ),
      durationMs: 0,
      notes: [
        `${n(total)} trials over ${LANES} web processes (each restarted after its kill) and one worker sweeping every ${SWEEP_MS} ms with a ${GRACE_MS / 1000} s recovery grace (production: 30 s and 10 min).`,
        'Fixed: a web process killed after it recorded `executed` but before it audited the outcome and replied in the thread left the requester never told (and sometimes no outcome audited), because recovery only took requests still `approved`. A request now stays in the recovery index until it has been told; a recovery skips what the dead process already audited or told (test/handlers/approval-recovery.test.ts).',
      ],
    };
  } finally {
    await world.close();
  }
  result.durationMs = Date.now() - t0;
  return result;
};

async function runTrial(
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
    slashCommandBody({
      text: `pause ${job.id} ${plan.reason}`,
      user_id: REQUESTER,
      channel_id: TRAINING,
      response_url: world.slack.responseUrl(TRAINING, REQUESTER),
    }),
  );
  if (asked.status !== 200) {
    trial.setupProblem = `the pause command was answered ${asked.status}`;
    return trial;
  }
  let message: SlackMessage | undefined;
  await waitUntil(
    () => {
      message = (world.slack.messages.get(APPROVALS) ?? []).find(
        (m) => !m.ephemeral && !m.thread_ts && m.text.includes(job.id) && Array.isArray(m.blocks),
      );
      return message !== undefined;
    },
    10_000,
    10,
  );
  const approve = message && buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST);
  if (!message || !approve) {
    trial.setupProblem = 'no approval request with an Approve button was posted';
    return trial;
  }
  trial.requestId = approve.value;
  trial.messageTs = message.ts;
  const posted = message;
  const click = () =>
    blockActionsBody(
      blockActionsPayload({
        user: APPROVER,
        channel: APPROVALS,
        actionId: approve.actionId,
        value: approve.value,
        blockId: approve.blockId,
        responseUrl: world.slack.responseUrl(APPROVALS, APPROVER, posted.ts),
        buttonText: 'Approve',
        message: { ts: posted.ts, text: posted.text, blocks: posted.blocks },
      }),
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
    await new Promise((r) => setTimeout(r, plan.delayMs));
    await dying.kill('SIGKILL');
    trial.killSignal = (await dying.exited).signal ?? 'none';
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

function threadReplies(world: World, ts: string): SlackMessage[] {
  return (world.slack.messages.get(APPROVALS) ?? []).filter(
    (m) => m.thread_ts === ts && !m.ephemeral,
  );
}

interface Verdict {
  effects: number;
  /** POST …/pause calls that changed nothing (dropped while held, or refused as already paused). */
  idlePosts: number;
  postStatuses: number[];
  jobStatus: string;
  state: string;
  outcomeEntries: Array<Record<string, string | undefined>>;
  approvedEntries: number;
  recovered: boolean;
  auditProblem?: string;
  told: number;
  toldProblem?: string;
}

async function judge(
  world: World,
  store: ApprovalStore,
  worker: BotProcess,
  trials: Trial[],
  apiKey: string,
): Promise<Row[]> {
  const audit = (await world.redis.xrange(world.keys.audit(), '-', '+')).map(([, raw]) =>
    fieldsOf(raw),
  );
  const verdicts: Verdict[] = [];
  const recoveredIds = new Set(
    worker.lines
      .filter((l) => l.includes('recovering an approved request'))
      .map((l) => /"requestId":"([^"]+)"/.exec(l)?.[1] ?? ''),
  );
  for (const t of trials)
    verdicts.push(await judgeTrial(world, store, t, audit, apiKey, recoveredIds));
  const total = trials.length;
  const sample = (items: string[]) =>
    items.length ? `; e.g. ${items.slice(0, 3).join(' | ')}` : '';
  const per = (m: Moment) => trials.filter((t) => t.moment === m);
  const setup = trials.filter((t) => t.setupProblem);

  // Row 1: every trial killed its web process at the planned moment, and it came back.
  const killedBySigkill = trials.filter((t) => t.killed && t.killSignal === 'SIGKILL').length;
  const delays = per('after-click').map((t) => t.delayMs);
  const clickedAgain = trials.filter((t) => t.clickedAgain).length;
  const perMoment = MOMENTS.map((m) => {
    const list = per(m);
    const k = list.filter((t) => t.killed && t.killSignal === 'SIGKILL').length;
    return `${n(list.length)} ${MOMENT_TEXT[m]} (${n(k)} killed there)`;
  }).join('; ');

  // Row 2: one pause effect per trial (none only if the request failed).
  const hist = new Map<number, number>();
  for (const v of verdicts) hist.set(v.effects, (hist.get(v.effects) ?? 0) + 1);
  const histText = [...hist.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([e, c]) => `${n(c)} with ${e}`)
    .join(', ');
  const effectOk = verdicts.filter(
    (v) =>
      (v.state === 'executed' &&
        v.effects === 1 &&
        (v.jobStatus === 'pausing' || v.jobStatus === 'paused')) ||
      (v.state === 'failed' && v.effects === 0 && v.jobStatus === 'running'),
  ).length;
  const idle = verdicts.reduce((s, v) => s + v.idlePosts, 0);
  const idleStatuses = verdicts
    .flatMap((v) => v.postStatuses.filter((s) => s !== 200))
    .reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>());
  const idleText = [...idleStatuses.entries()]
    .map(([s, c]) => `${n(c)} ${s === 0 ? 'dropped unanswered' : `answered ${s}`}`)
    .join(', ');
  const executed = verdicts.filter((v) => v.state === 'executed').length;
  const failed = verdicts.filter((v) => v.state === 'failed').length;

  // Row 3: nothing left `approved`.
  const leftApproved = verdicts.filter((v) => v.state === 'approved').length;
  const zset = await world.redis.zcard(world.keys.approvalsApproved());
  const states = new Map<string, number>();
  for (const v of verdicts) states.set(v.state, (states.get(v.state) ?? 0) + 1);
  const stateText = [...states.entries()].map(([s, c]) => `${n(c)} ${s}`).join(', ');

  // Row 4: the requester told once, in the thread, naming the approver.
  const toldOnce = verdicts.filter((v) => v.told === 1 && !v.toldProblem).length;
  const toldProblems = verdicts.flatMap((v, i) =>
    v.toldProblem ? [`trial ${i + 1}: ${v.toldProblem}`] : [],
  );

  // Row 5: recovered or finished before the kill, and the audit says which, in whose name.
  const recovered = verdicts.filter((v) => v.recovered).length;
  const recoveredBy = MOMENTS.map(
    (m) => `${n(trials.filter((t, i) => t.moment === m && verdicts[i]?.recovered).length)} ${m}`,
  ).join(', ');
  const finishedFirst = total - recovered;
  // Held at the API, the web process cannot have recorded anything: those must be recovered.
  const heldNotRecovered = trials.filter(
    (t, i) => t.moment !== 'after-click' && !verdicts[i]?.recovered,
  ).length;
  const auditProblems = verdicts.flatMap((v, i) =>
    v.auditProblem ? [`trial ${i + 1}: ${v.auditProblem}`] : [],
  );
  const noApprovedEntry = verdicts.filter((v) => v.approvedEntries === 0).length;
  const recoveryLines = worker.lines.filter((l) =>
    l.includes('recovering an approved request'),
  ).length;

  // Row 6: logs.
  const stackLines = world.bots
    .flatMap((b) => b.lines)
    .filter(
      (l) =>
        l.includes('[object Object]') ||
        /\\n\s+at .+:\d+:\d+/.test(l) ||
        /^\s+at .+:\d+:\d+/.test(l) ||
        /"stack"\s*:/.test(l),
    );
  const lineCount = world.bots.reduce((s, b) => s + b.lines.length, 0);

  return [
    {
      tried: `${n(total)} trials of \`/ft pause\` then Approve, the web process SIGKILLed mid-execution and restarted`,
      happened: `${perMoment}; ${n(killedBySigkill)} of ${n(total)} ended by SIGKILL; after-click delays ${delays.length ? `${Math.min(...delays)}–${Math.max(...delays)} ms` : 'none'}; ${n(clickedAgain)} clicks lost with the process before being counted (clicked again after the restart)${setup.length ? `; ${n(setup.length)} trials never got a request: ${setup[0]?.setupProblem}` : ''}`,
      target: 'every moment tried; every trial killed where planned',
      met:
        total > 0 &&
        setup.length === 0 &&
        killedBySigkill === total &&
        MOMENTS.every((m) => per(m).length > 0),
    },
    {
      tried: `the ${n(total)} jobs, from the emulator's events (state changes) and POST …/pause log`,
      happened: `${n(effectOk)} of ${n(total)} paused exactly once and executed, or not at all and failed (pause effects per trial: ${histText}); requests ${n(executed)} executed, ${n(failed)} failed; ${n(idle)} further POST …/pause changed nothing${idleText ? ` (${idleText})` : ''}`,
      target: 'exactly 1 pause effect per executed trial',
      met: total > 0 && effectOk === total && executed > 0,
    },
    {
      tried: `the ${n(total)} approval requests in Redis once every trial settled`,
      happened: `${n(leftApproved)} left \`approved\`, ${n(zset)} still in the approved index; end states: ${stateText}`,
      target: '0 left approved',
      met: total > 0 && leftApproved === 0 && zset === 0,
    },
    {
      tried: `the ${n(total)} approval threads in #approvals`,
      happened: `${n(toldOnce)} of ${n(total)} requesters told exactly once, in the thread, that <@${APPROVER}> approved${sample(toldProblems)}`,
      target: 'every requester told once',
      met: total > 0 && toldOnce === total,
    },
    {
      tried: `the audit of the ${n(total)} requests`,
      happened: `${n(recovered)} recovered by the worker (${recoveredBy}), ${n(finishedFirst)} finished by the web process before the kill; ${n(heldNotRecovered)} killed at the API yet not recovered; ${n(total - auditProblems.length)} of ${n(total)} audited one outcome in <@${APPROVER}>'s name, marked recovered only where the worker took it over; worker logged ${n(recoveryLines)} recoveries; ${n(noApprovedEntry)} died before auditing the approval itself${sample(auditProblems)}`,
      target: 'killed-at-API trials all recovered; outcome audited once, by the approver',
      met:
        total > 0 &&
        recovered > 0 &&
        heldNotRecovered === 0 &&
        auditProblems.length === 0 &&
        recoveryLines >= recovered,
    },
    {
      tried: `${n(lineCount)} log lines of the worker and ${n(world.bots.length - 1)} web processes (killed and restarted)`,
      happened: `${n(stackLines.length)} with a stack trace or [object Object]; worker ${worker.alive() ? 'alive' : 'exited'}${sample(stackLines.map((l) => l.slice(0, 160)))}`,
      target: '0; worker alive',
      met: lineCount > 0 && stackLines.length === 0 && worker.alive(),
    },
  ];
}

async function judgeTrial(
  world: World,
  store: ApprovalStore,
  t: Trial,
  audit: Array<Record<string, string | undefined>>,
  apiKey: string,
  recoveredIds: ReadonlySet<string>,
): Promise<Verdict> {
  const path = `/fine_tuning/jobs/${t.job.id}/pause`;
  const posts = world.ft.requests.filter((r) => r.method === 'POST' && r.path === path);
  const events = await jobEvents(world, apiKey, t.job.id);
  const effects = events.filter((m) => /^Fine-tuning job paus(ing|ed)$/.test(m)).length;
  const request = t.requestId ? await store.get(t.requestId) : null;
  const entries = audit.filter((e) => e.requestId === t.requestId);
  const outcomeEntries = entries.filter((e) => e.event === 'executed' || e.event === 'failed');
  // Recovered = the worker took the request over (its log names it). The web process may have
  // audited or told before it died; then those say nothing of recovery, and rightly so.
  const recovered = recoveredIds.has(t.requestId ?? '');
  const markedRecovered = outcomeEntries.some((e) =>
    e.outcome?.startsWith('recovered after the approving process stopped'),
  );
  const v: Verdict = {
    effects,
    idlePosts: posts.length - effects,
    postStatuses: posts.map((p) => p.status),
    jobStatus: world.ft.getJob(t.job.id)?.status ?? 'missing',
    state: request?.state ?? 'missing',
    outcomeEntries,
    approvedEntries: entries.filter((e) => e.event === 'approved').length,
    recovered,
    told: 0,
  };
  if (t.setupProblem) {
    v.auditProblem = t.setupProblem;
    v.toldProblem = t.setupProblem;
    return v;
  }
  // A POST that answered 200 made the change; the emulator's events must agree.
  if (posts.filter((p) => p.status === 200).length !== effects)
    v.auditProblem = `${effects} pause events but ${posts.filter((p) => p.status === 200).length} POSTs answered 200`;
  const outcome = outcomeEntries[0];
  if (outcomeEntries.length !== 1) v.auditProblem = `${outcomeEntries.length} outcome entries`;
  else if (outcome?.who !== APPROVER) v.auditProblem = `outcome audited as ${outcome?.who}`;
  else if (outcome.event !== v.state)
    v.auditProblem = `audited ${outcome.event}, request ${v.state}`;
  else if (recovered && !t.killed) v.auditProblem = 'recovered without a kill';
  else if (markedRecovered && !recovered) v.auditProblem = 'audited as recovered, never taken over';

  const replies = threadReplies(world, t.messageTs);
  v.told = replies.length;
  const reply = replies[0];
  if (replies.length !== 1) v.toldProblem = `${replies.length} replies in the thread`;
  else if (
    !reply?.text.includes(`<@${REQUESTER}>`) ||
    !reply.text.includes(`approved by <@${APPROVER}>`)
  )
    v.toldProblem = `the reply said "${reply?.text.slice(0, 120)}"`;
  else if (!recovered && reply.text.includes('finished by ftops after the process'))
    v.toldProblem = 'the reply says it was recovered, but it was never taken over';
  return v;
}

/** The job's event messages, read from the emulator over HTTP as a client would. */
async function jobEvents(world: World, apiKey: string, jobId: string): Promise<string[]> {
  const out: string[] = [];
  let after = '';
  for (let page = 0; page < 10; page++) {
    const res = await fetch(
      `${world.ft.azureBaseUrl}/fine_tuning/jobs/${jobId}/events?limit=100${after ? `&after=${after}` : ''}`,
      { headers: { 'api-key': apiKey } },
    );
    const body = (await res.json()) as {
      data?: Array<{ id: string; message: string }>;
      has_more?: boolean;
    };
    const data = body.data ?? [];
    out.push(...data.map((e) => e.message));
    if (!body.has_more || data.length === 0) break;
    after = data[data.length - 1]?.id ?? '';
  }
  return out;
}

function fieldsOf(raw: string[]): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i] as string] = raw[i + 1] as string;
  return out;
}
