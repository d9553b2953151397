import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import { countsText, examples } from '../../lib/race-audit.ts';
import type { World } from '../../lib/world.ts';
import { CLICKS_PER_TRIAL } from './people.ts';
import type { Trial } from './trial.ts';
import { type AnswerKind, judgeTrial } from './verdict.ts';

/** The six rows, over every trial's verdict. */
export function judge(world: World, bots: BotProcess[], trials: Trial[]): Row[] {
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

  // With 20 trials or more, both processes must win some races and more than one approver
  // must decide some (by chance alone all the same: under 1 in 2^19), so a process or an
  // approver that can never win is caught. Four short trials are too few to demand it.
  const bothWinNeeded = total >= 20;

  // Row 1: exactly one pause call per trial, and the job pausing or paused.
  const onePause = verdicts.filter(
    (v) => v.pauseCalls === 1 && (v.jobStatus === 'pausing' || v.jobStatus === 'paused'),
  ).length;
  const histText = countsText(verdicts.map((v) => v.pauseCalls));

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
      happened: `${n(auditOk)} of ${n(total)} show one 'requested' by the requester, one 'approved' and one 'executed' by the same approver who clicked and got "Approved.", and every other click as 'refused'; ${deciders.size} different approvers decided; \`/ft audit <job>\` named the decider in ${n(auditShown)} of ${n(total)}${examples(auditSamples)}`,
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
      happened: `${n(kinds.approved)} "Approved.", ${n(kinds.already)} "already decided", ${n(kinds.not_approver + kinds.is_requester)} "not allowed" (${n(kinds.is_requester)} four eyes, ${n(kinds.not_approver)} not an approver), ${n(kinds.none)} unanswered, ${n(kinds.other)} anything else, ${n(answerProblemCount)} wrong for the clicker; ${n(leaks)} answers with a stack trace or [object Object]${examples(answerSamples)}`,
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
      happened: `web-a acked ${n(acked[0] ?? 0)}, web-b acked ${n(acked[1] ?? 0)}, ${n(notAcked.length)} not acked${examples(notAcked)}; decisions won: web-a ${n(wins[0] ?? 0)}, web-b ${n(wins[1] ?? 0)}; slowest ack ${Math.round(slowestAck)} ms; ${crashed.length ? `exited: ${crashed.join(', ')}` : 'both alive'}; ${n(stackLines)} log lines with a stack or [object Object]`,
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
