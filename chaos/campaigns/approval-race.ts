import type { FineTuningJob } from '../../src/api/schemas.ts';
import type { SlackMessage } from '../../src/emulators/slack/index.ts';
import { buttonsOf } from '../../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
} from '../../src/emulators/slack-signing.ts';
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
import {
  type Answer,
  APPROVALS,
  APPROVER,
  OUTSIDER,
  REQUESTER,
  startWorld,
  TRAINING,
  type World,
} from '../lib/world.ts';

/**
 * Campaign 2, the approval race: a pause request is posted for approval, then 50 signed
 * Approve clicks land on it at once, alternating between two web processes that share one
 * Redis, from several approvers, the requester and an outsider. Whatever the interleaving,
 * the job must get exactly one pause call, the audit must name one deciding approver who
 * clicked, the requester and the outsider must never decide, and every click must be answered
 * on its own response_url.
 */

/** Approvers through the user group S0APPROVERS (not listed by ID); APPROVER is listed by ID. */
const GROUP_APPROVERS = ['U0GROUPAA', 'U0GROUPBB', 'U0GROUPCC', 'U0GROUPDD'] as const;
const APPROVERS: readonly string[] = [APPROVER, ...GROUP_APPROVERS];
const CLICKS_PER_TRIAL = 50;
const REASONS = [
  'eval loss diverged',
  'need the GPUs for a hotfix',
  'wrong learning rate',
  'data leak suspected',
];

type AnswerKind = 'approved' | 'already' | 'not_approver' | 'is_requester' | 'none' | 'other';

interface Click {
  user: string;
  /** 0 or 1: which web process it went to. */
  bot: number;
  responseUrl: string;
  ack?: Answer;
  ackError?: string;
}

interface Trial {
  index: number;
  job: FineTuningJob;
  requester: string;
  requestId: string;
  messageTs: string;
  clicks: Click[];
  /** This request's audit entries, read as soon as every click was answered. */
  audit: Array<Record<string, string | undefined>>;
  /** The answer to `/ft audit <job>` by an approver afterwards, as JSON. */
  auditShown: string;
  /** Wall time of its phases: request posted, clicks acked, clicks answered, audit read. */
  phaseMs: [number, number, number, number];
  /** Problems found while setting the trial up (no request posted, no button, …). */
  setupProblem?: string;
}

export const runApprovalRace: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const trialsWanted = opts.full ? 200 : 4;

  const world = await startWorld({ evidence: opts.evidence });
  const trials: Trial[] = [];
  let bots: BotProcess[] = [];
  let result: CampaignResult;
  try {
    for (const id of GROUP_APPROVERS) world.slack.addUser({ id, name: id.toLowerCase() });
    world.slack.setUsergroup('S0APPROVERS', [APPROVER, ...GROUP_APPROVERS]);
    world.ft.setFaults({ retryAfterMs: 0 });
    bots = await Promise.all([
      world.startBot('web-a', { role: 'web' }),
      world.startBot('web-b', { role: 'web' }),
    ]);
    log(`two web processes up (pids ${bots.map((b) => b.pid).join(', ')})`);

    for (let i = 0; i < trialsWanted; i++) {
      trials.push(await runTrial(world, bots, random, i));
      if ((i + 1) % 20 === 0)
        log(`${i + 1} of ${trialsWanted} trials; ${phases(trials.slice(-20))}`);
    }
    // Late effects (a second pause call, a second answer) would show up after a trial's own
    // wait; give the last trial's stragglers a moment before counting.
    await new Promise((r) => setTimeout(r, 500));
    result = {
      name: 'approval-race',
      title: '2. Approval race',
      rows: judge(world, bots, trials),
      durationMs: 0,
      notes: [
        `${trials.length} trials of ${CLICKS_PER_TRIAL} concurrent Approve clicks over two web processes; approvers ${APPROVERS.join(', ')} (${GROUP_APPROVERS.length} via S0APPROVERS).`,
        `Per trial on average: ${phases(trials)}.`,
        'Fixed: `/ft audit <job>` showed only the 20 newest entries, so the refusals of a burst of late clicks pushed who decided out of view; requests, decisions and executions are now always shown (test/e2e/audit-decisions.test.ts).',
      ],
    };
  } finally {
    await world.close();
  }
  result.durationMs = Date.now() - t0;
  return result;
};

/** Average wall time of each phase of `trials`, in words. */
function phases(trials: readonly Trial[]): string {
  const avg = (i: number) =>
    Math.round(trials.reduce((s, t) => s + t.phaseMs[i as 0], 0) / Math.max(1, trials.length));
  return `request posted ${avg(0)} ms, 50 clicks acked ${avg(1)} ms, all answered ${avg(2)} ms more, audit read ${avg(3)} ms`;
}

async function runTrial(
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
  const last = await world.redis.xrevrange(world.keys.audit(), '+', '-', 'COUNT', 1);
  const auditFrom = last[0]?.[0];

  // The requester asks the way a user does: `/ft pause <job> <reason>` in the training channel.
  const commandUrl = world.slack.responseUrl(TRAINING, requester);
  const asked = await world.signed(
    bots[index % 2] as BotProcess,
    slashCommandBody({
      text: `pause ${job.id} ${reason}`,
      user_id: requester,
      channel_id: TRAINING,
      response_url: commandUrl,
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
  if (!message) {
    trial.setupProblem = 'no approval request was posted to the approvals channel';
    return trial;
  }
  const approve = buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST);
  if (!approve) {
    trial.setupProblem = 'the approval request has no Approve button';
    return trial;
  }
  lap(0);
  trial.requestId = approve.value;
  trial.messageTs = message.ts;

  // 50 clickers: every approver but the requester at least once, the requester and the
  // outsider 4–8 times each, the rest random approvers; shuffled, then alternated.
  const deciders = APPROVERS.filter((a) => a !== requester);
  const users: string[] = [...deciders];
  const extra = 4 + pick(random, 5);
  for (let k = 0; k < extra; k++) users.push(requester, OUTSIDER);
  while (users.length < CLICKS_PER_TRIAL)
    users.push(deciders[pick(random, deciders.length)] as string);
  shuffle(random, users);
  // One requester and one outsider click go first, one to each process, so the refusals of
  // a still-pending request are raced too, not only "already decided".
  for (const who of [OUTSIDER, requester]) users.unshift(...users.splice(users.indexOf(who), 1));
  // Alternate between the processes, starting with either, so neither always gets the first.
  const first = pick(random, 2);
  const clicks: Click[] = users.map((user, k) => ({
    user,
    bot: (k + first) % 2,
    responseUrl: world.slack.responseUrl(APPROVALS, user, message?.ts),
  }));
  const bodies = clicks.map((c) =>
    blockActionsBody(
      blockActionsPayload({
        user: c.user,
        channel: APPROVALS,
        actionId: approve.actionId,
        value: approve.value,
        blockId: approve.blockId,
        responseUrl: c.responseUrl,
        buttonText: 'Approve',
        message: { ts: message?.ts ?? '', text: message?.text ?? '', blocks: message?.blocks },
      }),
    ),
  );
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
  trial.audit = (
    await world.redis.xrange(world.keys.audit(), auditFrom ? `(${auditFrom}` : '-', '+')
  )
    .map(([, raw]) => fieldsOf(raw))
    .filter((e) => e.requestId === trial.requestId);
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
  await waitUntil(() => world.slack.responses.some((r) => r.url === auditUrl), 10_000, 10);
  const shown = world.slack.responses.find((r) => r.url === auditUrl)?.body;
  trial.auditShown = shown ? JSON.stringify(shown) : '';
  lap(3);
  return trial;
}

interface Verdict {
  pauseCalls: number;
  jobStatus: string;
  decider?: string;
  /** Why the audit of the trial is wrong; empty when right. */
  auditProblems: string[];
  answers: Record<AnswerKind, number>;
  /** Why answers are wrong (missing, duplicated, the wrong kind for the clicker). */
  answerProblems: string[];
  /** Clicks by the requester or the outsider that were counted as a decision. */
  badDecisions: number;
  refusedNotAllowed: number;
  refusedAlready: number;
  outsiderOrRequesterClicks: number;
  winnerBot?: number;
  threadReplies: number;
  messageClosed: boolean;
  /** `/ft audit <job>` names the decider as having approved or executed the pause. */
  auditShowsDecider: boolean;
}

function judge(world: World, bots: BotProcess[], trials: Trial[]): Row[] {
  const byUrl = new Map<string, Array<Record<string, unknown>>>();
  for (const r of world.slack.responses) {
    const list = byUrl.get(r.url) ?? [];
    list.push(r.body);
    byUrl.set(r.url, list);
  }
  const verdicts = trials.map((t) => judgeTrial(world, t, byUrl));
  const setupProblems = trials.filter((t) => t.setupProblem);
  const clicks = trials.flatMap((t) => t.clicks);
  const total = trials.length;
  const sample = (items: string[]) =>
    items.length ? `; e.g. ${items.slice(0, 3).join(' | ')}` : '';

  // With 20 trials or more, both processes must win some races and more than one approver
  // must decide some (by chance alone all the same: under 1 in 2^19), so a process or an
  // approver that can never win is caught. Four short trials are too few to demand it.
  const bothWinNeeded = total >= 20;

  // Row 1: exactly one pause call per trial, and the job pausing or paused.
  const onePause = verdicts.filter(
    (v) => v.pauseCalls === 1 && (v.jobStatus === 'pausing' || v.jobStatus === 'paused'),
  ).length;
  const hist = new Map<number, number>();
  for (const v of verdicts) hist.set(v.pauseCalls, (hist.get(v.pauseCalls) ?? 0) + 1);
  const histText = [...hist.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([calls, count]) => `${n(count)} with ${calls}`)
    .join(', ');

  // Row 2: the audit names one decider, an approver who clicked.
  const auditOk = verdicts.filter((v) => v.auditProblems.length === 0).length;
  const auditShown = verdicts.filter((v) => v.auditShowsDecider).length;
  const deciders = new Set(verdicts.map((v) => v.decider).filter(Boolean));
  const auditSamples = verdicts.flatMap((v, i) =>
    v.auditProblems.map((p) => `trial ${i + 1}: ${p}`),
  );

  // Row 3: requester and outsider never decided.
  const outsiderOrRequester = verdicts.reduce((s, v) => s + v.outsiderOrRequesterClicks, 0);
  const notAllowed = verdicts.reduce((s, v) => s + v.refusedNotAllowed, 0);
  const alreadyForThem = verdicts.reduce((s, v) => s + v.refusedAlready, 0);
  const badDecisions = verdicts.reduce((s, v) => s + v.badDecisions, 0);

  // Row 4: every click answered once, with the right kind of answer.
  const kinds: Record<AnswerKind, number> = {
    approved: 0,
    already: 0,
    not_approver: 0,
    is_requester: 0,
    none: 0,
    other: 0,
  };
  for (const v of verdicts)
    for (const k of Object.keys(kinds) as AnswerKind[]) kinds[k] += v.answers[k];
  const answerSamples = verdicts.flatMap((v, i) =>
    v.answerProblems.map((p) => `trial ${i + 1}: ${p}`),
  );
  const answerProblemCount = verdicts.reduce((s, v) => s + v.answerProblems.length, 0);
  const leaks = world.slack.responses.filter((r) => {
    const text = JSON.stringify(r.body);
    return text.includes('[object Object]') || /\n\s+at .+\(.+:\d+:\d+\)/.test(text);
  }).length;

  // Row 5: both processes took clicks (acked 200) and both decided some trials.
  const acked = [0, 0];
  const notAcked: string[] = [];
  let slowestAck = 0;
  for (const c of clicks) {
    if (c.ack?.status === 200) acked[c.bot] = (acked[c.bot] ?? 0) + 1;
    else notAcked.push(c.ackError ?? `HTTP ${c.ack?.status}`);
    if (c.ack) slowestAck = Math.max(slowestAck, c.ack.ms);
  }
  const wins = [0, 0];
  for (const v of verdicts)
    if (v.winnerBot !== undefined) wins[v.winnerBot] = (wins[v.winnerBot] ?? 0) + 1;
  const crashed = bots.filter((b) => !b.alive()).map((b) => b.name);
  const stackLines = bots
    .flatMap((b) => b.lines)
    .filter((l) => l.includes('[object Object]') || /\\n\s+at .+:\d+:\d+/.test(l)).length;

  // Row 6: the request message is closed once and the requester told once.
  const closedOnce = verdicts.filter((v) => v.messageClosed && v.threadReplies === 1).length;

  return [
    {
      tried: `${n(total)} trials: a pause request, then ${CLICKS_PER_TRIAL} concurrent Approve clicks each`,
      happened: `${n(onePause)} of ${n(total)} trials made exactly one POST …/pause and left the job pausing/paused (pause calls per trial: ${histText})${setupProblems.length ? `; ${n(setupProblems.length)} trials never got a request: ${setupProblems[0]?.setupProblem}` : ''}`,
      target: 'exactly 1 pause call in every trial',
      met: total > 0 && onePause === total,
    },
    {
      tried: `the audit stream of each of the ${n(total)} requests`,
      happened: `${n(auditOk)} of ${n(total)} show one 'requested' by the requester, one 'approved' and one 'executed' by the same approver who clicked and got "Approved.", and every other click as 'refused'; ${deciders.size} different approvers decided; \`/ft audit <job>\` named the decider in ${n(auditShown)} of ${n(total)}${sample(auditSamples)}`,
      target: 'every trial: decision recorded once, by an approver who clicked, and shown',
      met:
        total > 0 &&
        auditOk === total &&
        auditShown === total &&
        (!bothWinNeeded || deciders.size >= 2),
    },
    {
      tried: `${n(outsiderOrRequester)} clicks by the requester (an approver in half the trials) or the outsider`,
      happened: `${n(badDecisions)} counted as a decision; ${n(notAllowed)} refused as not allowed (four eyes / not an approver), ${n(alreadyForThem)} told it was already decided`,
      target: '0 counted; refusals seen',
      met: outsiderOrRequester > 0 && badDecisions === 0 && notAllowed > 0,
    },
    {
      tried: `${n(clicks.length)} clicks, each with its own response_url`,
      happened: `${n(kinds.approved)} "Approved.", ${n(kinds.already)} "already decided", ${n(kinds.not_approver + kinds.is_requester)} "not allowed" (${n(kinds.is_requester)} four eyes, ${n(kinds.not_approver)} not an approver), ${n(kinds.none)} unanswered, ${n(kinds.other)} anything else, ${n(answerProblemCount)} wrong for the clicker; ${n(leaks)} answers with a stack trace or [object Object]${sample(answerSamples)}`,
      target: 'every click answered once, rightly; 1 "Approved." per trial',
      met:
        clicks.length > 0 &&
        kinds.none === 0 &&
        kinds.other === 0 &&
        answerProblemCount === 0 &&
        kinds.approved === total &&
        leaks === 0,
    },
    {
      tried: `clicks alternated between two web processes (web-a, web-b) on one Redis`,
      happened: `web-a acked ${n(acked[0] ?? 0)}, web-b acked ${n(acked[1] ?? 0)}, ${n(notAcked.length)} not acked${sample(notAcked)}; decisions won: web-a ${n(wins[0] ?? 0)}, web-b ${n(wins[1] ?? 0)}; slowest ack ${Math.round(slowestAck)} ms; ${crashed.length ? `exited: ${crashed.join(', ')}` : 'both alive'}; ${n(stackLines)} log lines with a stack or [object Object]`,
      target: `both processes take clicks${bothWinNeeded ? ' and win races' : ''}; all acked`,
      met:
        notAcked.length === 0 &&
        (acked[0] ?? 0) > 0 &&
        (acked[1] ?? 0) > 0 &&
        (!bothWinNeeded || ((wins[0] ?? 0) > 0 && (wins[1] ?? 0) > 0)) &&
        crashed.length === 0 &&
        stackLines === 0,
    },
    {
      tried: `the ${n(total)} request messages in #approvals`,
      happened: `${n(closedOnce)} of ${n(total)} were updated to show no buttons, and got exactly one thread reply naming the decider`,
      target: 'every request closed, requester told once',
      met: total > 0 && closedOnce === total,
    },
  ];
}

function judgeTrial(
  world: World,
  t: Trial,
  byUrl: Map<string, Array<Record<string, unknown>>>,
): Verdict {
  const v: Verdict = {
    pauseCalls: world.ft.requests.filter(
      (r) => r.method === 'POST' && r.path === `/fine_tuning/jobs/${t.job.id}/pause`,
    ).length,
    jobStatus: world.ft.getJob(t.job.id)?.status ?? 'missing',
    auditProblems: [],
    answers: { approved: 0, already: 0, not_approver: 0, is_requester: 0, none: 0, other: 0 },
    answerProblems: [],
    badDecisions: 0,
    refusedNotAllowed: 0,
    refusedAlready: 0,
    outsiderOrRequesterClicks: 0,
    threadReplies: 0,
    messageClosed: false,
    auditShowsDecider: false,
  };
  if (t.setupProblem) {
    v.auditProblems.push(t.setupProblem);
    return v;
  }

  // Answers on each click's own response_url.
  const approvedBy: Array<{ user: string; bot: number }> = [];
  for (const c of t.clicks) {
    const bodies = byUrl.get(c.responseUrl) ?? [];
    const isCommoner = c.user === t.requester || c.user === OUTSIDER;
    if (isCommoner) v.outsiderOrRequesterClicks++;
    if (bodies.length === 0) {
      v.answers.none++;
      v.answerProblems.push(`${c.user} got no answer`);
      continue;
    }
    if (bodies.length > 1) v.answerProblems.push(`${c.user} got ${bodies.length} answers`);
    const body = bodies[0] as Record<string, unknown>;
    const text = typeof body.text === 'string' ? body.text : '';
    const kind = classify(text);
    v.answers[kind]++;
    if (body.response_type !== 'ephemeral' || body.replace_original === true)
      v.answerProblems.push(`${c.user}'s answer was not a private note`);
    switch (kind) {
      case 'approved':
        approvedBy.push({ user: c.user, bot: c.bot });
        if (isCommoner) {
          v.badDecisions++;
          v.answerProblems.push(
            `${c.user} (${c.user === OUTSIDER ? 'outsider' : 'requester'}) was told "Approved."`,
          );
        }
        break;
      case 'already':
        if (isCommoner) v.refusedAlready++;
        break;
      case 'is_requester':
        if (c.user !== t.requester) v.answerProblems.push(`${c.user} was told they asked for it`);
        else v.refusedNotAllowed++;
        break;
      case 'not_approver':
        if (c.user !== OUTSIDER)
          v.answerProblems.push(`approver ${c.user} was told only approvers may decide`);
        else v.refusedNotAllowed++;
        break;
      case 'other':
        v.answerProblems.push(`${c.user} was told "${text.slice(0, 120)}"`);
        break;
      case 'none':
        break;
    }
  }
  if (approvedBy.length !== 1)
    v.answerProblems.push(`${approvedBy.length} clicks were told "Approved."`);
  const winner = approvedBy.length === 1 ? approvedBy[0] : undefined;
  if (winner) v.winnerBot = winner.bot;
  // "Already decided" answers must name the one who did decide.
  for (const c of t.clicks) {
    const text = String((byUrl.get(c.responseUrl) ?? [])[0]?.text ?? '');
    if (classify(text) !== 'already' || !winner) continue;
    const by = /by <@([A-Z0-9]+)>/.exec(text)?.[1];
    if (by !== winner.user)
      v.answerProblems.push(`${c.user} was told it was decided by ${by ?? 'nobody'}`);
  }

  // The audit stream: this request's entries, read when the trial settled.
  const entries = t.audit;
  const of = (event: string) => entries.filter((e) => e.event === event);
  const approved = of('approved');
  const executed = of('executed');
  const refused = of('refused');
  const requested = of('requested');
  const others = entries.filter(
    (e) => !['requested', 'approved', 'executed', 'refused'].includes(e.event ?? ''),
  );
  if (requested.length !== 1 || requested[0]?.who !== t.requester)
    v.auditProblems.push(
      `'requested' ${requested.length} times, by ${requested.map((e) => e.who).join(',')}`,
    );
  if (approved.length !== 1) v.auditProblems.push(`'approved' ${approved.length} times`);
  if (executed.length !== 1) v.auditProblems.push(`'executed' ${executed.length} times`);
  const decider = approved[0]?.who;
  v.decider = decider;
  if (decider !== undefined) {
    if (executed[0]?.who !== decider)
      v.auditProblems.push(`approved by ${decider} but executed by ${executed[0]?.who}`);
    if (decider === t.requester || decider === OUTSIDER || !APPROVERS.includes(decider))
      v.auditProblems.push(`decided by ${decider}, who may not`);
    if (!t.clicks.some((c) => c.user === decider))
      v.auditProblems.push(`decided by ${decider}, who did not click`);
    if (winner && winner.user !== decider)
      v.auditProblems.push(`audit says ${decider}, but "Approved." went to ${winner.user}`);
  }
  v.auditShowsDecider =
    decider !== undefined &&
    (t.auditShown.includes(`<@${decider}> *executed pause*`) ||
      t.auditShown.includes(`<@${decider}> *approved pause*`));
  if (refused.length !== t.clicks.length - 1)
    v.auditProblems.push(
      `${refused.length} 'refused' entries for ${t.clicks.length - 1} losing clicks`,
    );
  if (others.length > 0)
    v.auditProblems.push(`unexpected entries: ${others.map((e) => e.event).join(',')}`);

  // The request message: updated without buttons, and one reply in its thread.
  const msgs = world.slack.messages.get(APPROVALS) ?? [];
  const request = msgs.find((m) => m.ts === t.messageTs);
  v.messageClosed = Boolean(request?.edited) && buttonsOf(request?.blocks).length === 0;
  const replies = msgs.filter((m) => m.thread_ts === t.messageTs && !m.ephemeral);
  v.threadReplies = replies.length;
  if (replies.length === 1 && decider && !replies[0]?.text.includes(`approved by <@${decider}>`))
    v.threadReplies = -1;
  return v;
}

function classify(text: string): AnswerKind {
  if (text === '') return 'other';
  if (text.startsWith('Approved.')) return 'approved';
  if (text.startsWith('This request was already') && text.includes('changed nothing'))
    return 'already';
  if (text.startsWith('Only approvers') && text.includes('not counted')) return 'not_approver';
  if (text.startsWith('You asked for this')) return 'is_requester';
  return 'other';
}

function fieldsOf(raw: string[]): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i] as string] = raw[i + 1] as string;
  return out;
}
