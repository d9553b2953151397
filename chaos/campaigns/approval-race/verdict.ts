import { requestClosed, threadReplies } from '../../lib/race-approval.ts';
import { OUTSIDER, type World } from '../../lib/world.ts';
import { APPROVERS } from './people.ts';
import type { Trial } from './trial.ts';

export type AnswerKind =
  | 'approved'
  | 'already'
  | 'not_approver'
  | 'is_requester'
  | 'none'
  | 'other';

/** What one trial came to: pause calls, audit, answers, the request message. */
export interface Verdict {
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

export function judgeTrial(
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
    (t.auditShown.includes(`pause was carried out (approved by <@${decider}>)`) ||
      t.auditShown.includes(`<@${decider}> approved the request to pause`));
  // Repeated refusals of one approver fold into one entry with a count: count the clicks.
  const refusedClicks = refused.reduce((sum, e) => sum + 1 + Number(e.repeats ?? 0), 0);
  if (refusedClicks !== t.clicks.length - 1)
    v.auditProblems.push(
      `${refusedClicks} refused clicks audited (${refused.length} entries) for ${t.clicks.length - 1} losing clicks`,
    );
  if (others.length > 0)
    v.auditProblems.push(`unexpected entries: ${others.map((e) => e.event).join(',')}`);

  // The request message: updated without buttons, and one reply in its thread.
  v.messageClosed = requestClosed(world, t.messageTs);
  const replies = threadReplies(world, t.messageTs);
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
