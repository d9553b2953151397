import type { ApprovalStore } from '../../../src/store/approvals.ts';
import { jobEvents } from '../../lib/faults-events.ts';
import { threadReplies } from '../../lib/race-approval.ts';
import type { AuditEntry } from '../../lib/race-audit.ts';
import { APPROVER, REQUESTER, type World } from '../../lib/world.ts';
import type { Trial } from './trial.ts';

/** What one trial came to: pause effects, the request's end state, its audit, the reply. */
export interface Verdict {
  effects: number;
  /** POST …/pause calls that changed nothing (dropped while held, or refused as already paused). */
  idlePosts: number;
  postStatuses: number[];
  jobStatus: string;
  state: string;
  outcomeEntries: AuditEntry[];
  approvedEntries: number;
  recovered: boolean;
  auditProblem?: string;
  told: number;
  toldProblem?: string;
}

export async function judgeTrial(
  world: World,
  store: ApprovalStore,
  t: Trial,
  audit: AuditEntry[],
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
