// The cluster campaigns' report, read from everything the run observed: the faults, how soon
// processing came back, decisions and pause effects, announcements, state, the bots and the
// cluster at the end.
import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import { jobEvents } from '../../lib/faults-events.ts';
import type { ClusterNode, PrivateCluster } from '../../lib/private-cluster.ts';
import { APPROVER, type World } from '../../lib/world.ts';
import { announcements } from '../crashes/announcements.ts';
import type { Answers } from '../redis-restart/answers.ts';
import { pauseCalls } from '../redis-restart/approval.ts';
import { type Change, LEAK, LOG_LEAK, type Sent } from '../redis-restart/plan.ts';
import { APPROVER2, type ClusterSizes, type Fault, RECOVERY_LIMIT_MS, type Trial } from './plan.ts';

export interface ClusterFigures {
  w: World;
  bots: BotProcess[];
  size: ClusterSizes;
  cluster: PrivateCluster;
  nodesAfter: ClusterNode[];
  slot: number;
  homePort: number | undefined;
  faults: Fault[];
  answers: Answers;
  setup: Sent[];
  setupOk: number;
  sent: Sent[];
  changes: Change[];
  allAnnounced: boolean;
  trials: Trial[];
  stateBefore: Map<string, string>;
  stateAfter: Map<string, string>;
  ready: Array<{ status: number; redisOk: boolean }>;
  /** The fine-tuning emulator's key, to read job events as a client would. */
  apiKey: string;
}

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function clusterRows(f: ClusterFigures, notes: string[]): Promise<Row[]> {
  const { w, bots, size, cluster, faults, answers, sent, changes, trials } = f;
  const rows: Row[] = [];

  // 1. The faults themselves, on the private cluster.
  rows.push({
    tried: `${faults.map((x) => x.label).join('; ')}; on a private cluster (127.0.0.1:${cluster.ports[0]}-${cluster.ports[5]}, cluster-node-timeout ${n(cluster.nodeTimeoutMs)} ms), ftops's keys in slot ${f.slot}`,
    happened: faults.map((x) => `${x.detail} (${n(x.endAt - x.startAt)} ms)`).join('; '),
    target: 'every fault done as planned, on private ports',
    met:
      faults.length > 0 &&
      faults.every((x) => x.endAt >= x.startAt && x.detail !== '') &&
      cluster.ports.every((p) => p !== 6379 && (p < 7001 || p > 7006)),
  });

  // 2. Processing again within 10 s of each fault: commands and announcements.
  const first = faults[0];
  const recovery = faults.map((fault, i) => {
    const until = faults[i + 1]?.startAt ?? Number.POSITIVE_INFINITY;
    const bad = sent.filter(
      (s) => s.sentAt >= fault.startAt && s.sentAt < until && answers.verdict(s) !== 'normal',
    );
    const last = Math.max(
      fault.startAt,
      ...bad.map((s) => answers.answeredAt(s) ?? s.sentAt + 10_000),
    );
    return { fault, ms: last - fault.startAt, bad: bad.length };
  });
  const duringChanges = changes.filter((c) => c.phase === 'during');
  const announceLag = duringChanges.map((c) => {
    const seen = Math.max(...c.channels.map((ch) => c.seen.get(ch) ?? Number.POSITIVE_INFINITY));
    return seen - Math.max(c.madeAt ?? 0, first?.startAt ?? 0);
  });
  const worstLag = Math.max(0, ...announceLag);
  const late = announceLag.filter((lag) => lag > RECOVERY_LIMIT_MS).length;
  if (late > 0)
    notes.push(
      `${n(late)} of the ${n(duringChanges.length)} changes made during the first fault were announced more than 10 s after the later of the change and the fault (slowest ${s1(worstLag)}), while commands were answered again ${s1(recovery[0]?.ms ?? 0)} after it: see "What a failover can still lose" for why.`,
    );
  rows.push({
    tried: `commands sent through each fault (${recovery.map((r) => `${n(sent.filter((s) => s.sentAt >= r.fault.startAt && s.sentAt < r.fault.startAt + RECOVERY_LIMIT_MS).length)} in its first 10 s`).join(', ')}); ${n(duringChanges.length)} status changes made during the first`,
    happened: `${recovery.map((r, i) => `fault ${i + 1}: ${r.bad === 0 ? 'every command answered normally' : `last of ${n(r.bad)} not normal answered ${s1(r.ms)} after it began`}`).join('; ')}; slowest announcement of a change made during it ${Number.isFinite(worstLag) ? s1(worstLag) : 'NEVER'} after the later of the change and the fault`,
    target: 'processing again ≤ 10 s after each fault: commands and announcements',
    met: recovery.every((r) => r.ms <= RECOVERY_LIMIT_MS) && worstLag <= RECOVERY_LIMIT_MS,
  });

  // 3. Every command answered, with the job card or (briefly) "temporarily unavailable".
  const verdicts = { normal: 0, unavailable: 0, other: 0, silent: 0 };
  for (const s of sent) verdicts[answers.verdict(s)]++;
  const lateUnavailable = sent.filter(
    (s) =>
      answers.verdict(s) === 'unavailable' &&
      !faults.some((x) => s.sentAt >= x.startAt && s.sentAt <= x.endAt + RECOVERY_LIMIT_MS),
  ).length;
  const slowAcks = sent.filter((s) => s.ack?.status !== 200 || s.ack.ms > 3000).length;
  const firstOther = sent.find((s) => answers.verdict(s) === 'other');
  if (firstOther)
    notes.push(`first other answer: ${(answers.answerText(firstOther) ?? '').slice(0, 300)}`);
  rows.push({
    tried: `${n(sent.length)} signed /ft status commands over two bot processes, and ${n(f.setup.length)} set-up watches`,
    happened: `${n(verdicts.normal)} job cards, ${n(verdicts.unavailable)} "temporarily unavailable" (${n(lateUnavailable)} outside a fault's first 10 s), ${n(verdicts.other)} other, ${n(verdicts.silent)} silent; ${n(slowAcks)} not acked 200 within 3 s; set-up ${n(f.setupOk)}/${n(f.setup.length)} normal`,
    target: 'every one acked within 3 s and answered; "unavailable" only around a fault',
    met:
      verdicts.other === 0 &&
      verdicts.silent === 0 &&
      lateUnavailable === 0 &&
      slowAcks === 0 &&
      f.setupOk === f.setup.length,
  });

  // 4. Decisions: every vote and approval a person was told about is still there.
  const lost: string[] = [];
  let votes = 0;
  let approvals = 0;
  const states = new Map<string, number>();
  for (const t of trials) {
    if (!t.requestId) continue;
    const hash = await w.redis.hgetall(w.keys.approval(t.requestId));
    const voters = await w.redis.smembers(w.keys.approvalVotes(t.requestId));
    states.set(hash.state ?? 'missing', (states.get(hash.state ?? 'missing') ?? 0) + 1);
    if (t.voteAcked) {
      votes++;
      if (!voters.includes(APPROVER)) lost.push(`${t.requestId}: vote of ${APPROVER}`);
    }
    if (t.approvalAcked) {
      approvals++;
      if (hash.state !== 'executed' || hash.decidedBy !== APPROVER2)
        lost.push(`${t.requestId}: approval (state ${hash.state}, by ${hash.decidedBy})`);
    }
  }
  const unfinished = trials.filter((t) => !t.approvalAcked).length;
  const retried = trials.reduce((a, t) => a + t.clicks.length - 2 + t.asks.length - 1, 0);
  if (lost[0]) notes.push(`first lost decision: ${lost[0]}`);
  rows.push({
    tried: `${n(trials.length)} approval trials over the run (/ft pause, Approve by two approvers: a vote, then the decision); asked again after "temporarily unavailable" (${n(Math.max(0, retried))} asks and clicks again)`,
    happened: `${n(votes)} votes and ${n(approvals)} approvals acknowledged; ${n(lost.length)} of them lost; requests end ${[...states].map(([k, v]) => `${k} ${n(v)}`).join(', ')}; ${n(unfinished)} trials without "Approved."`,
    target: '0 decisions lost; every trial approved',
    met: lost.length === 0 && unfinished === 0 && trials.length === size.trials,
  });

  // 5. Pause effects: exactly one per approved trial, never two.
  const effects = await Promise.all(
    trials.map(async (t) => ({
      t,
      effects: (await jobEvents(w, f.apiKey, t.jobId)).filter((m) =>
        /^Fine-tuning job paus(ing|ed)$/.test(m),
      ).length,
      posts: pauseCalls(w, t.jobId),
    })),
  );
  const doubled = effects.filter((e) => e.effects > 1).length;
  const missing = effects.filter((e) => e.t.approvalAcked && e.effects !== 1).length;
  rows.push({
    tried: `the ${n(trials.length)} trial jobs, from the emulator's events and POST …/pause log`,
    happened: `${n(effects.filter((e) => e.effects === 1).length)} paused exactly once, ${n(doubled)} twice or more, ${n(missing)} approved without exactly one; ${n(effects.reduce((a, e) => a + e.posts, 0))} POST …/pause in all`,
    target: '0 duplicate pause effects; one per approval',
    met: doubled === 0 && missing === 0,
  });

  // 6. Announcements: none lost, duplicates at most one per failover or slot move.
  const expected = new Map<string, number>();
  for (const c of changes)
    for (const ch of c.channels) expected.set(`${ch}|${c.jobId}|${c.from}|${c.to}`, 0);
  let unexpected = 0;
  for (const a of announcements(w)) {
    const k = `${a.channel}|${a.jobId}|${a.from}|${a.to}`;
    if (expected.has(k)) expected.set(k, (expected.get(k) ?? 0) + 1);
    else if (!a.jobId.startsWith('ftjob-') || !trials.some((t) => t.jobId === a.jobId))
      unexpected++;
  }
  const counts = [...expected.values()];
  const lostAnn = counts.filter((c) => c === 0).length;
  const dup = counts.reduce((a, c) => a + Math.max(0, c - 1), 0);
  const allowed = faults.filter((x) => x.counts).length;
  rows.push({
    tried: `${n(changes.length)} status changes (${['before', 'during', 'after'].map((p) => `${n(changes.filter((c) => c.phase === p).length)} ${p}`).join(', ')} the faults), ${n(expected.size)} announcements due`,
    happened: `${n(expected.size - lostAnn)} announced, ${n(lostAnn)} lost; ${n(dup)} duplicated (most copies of one: ${n(Math.max(0, ...counts))}); ${n(unexpected)} announcements of nothing planned; all seen: ${f.allAnnounced ? 'yes' : 'NO'}`,
    target: `0 lost; at most 1 duplicate per failover or slot move (≤ ${allowed})`,
    met: lostAnn === 0 && dup <= allowed && unexpected === 0,
  });

  // 7. Subscriptions came through unchanged.
  const changed = [...f.stateBefore].filter(([k, v]) => f.stateAfter.get(k) !== v);
  rows.push({
    tried: `${n(f.stateBefore.size)} subscription keys read before the first fault`,
    happened: `${n(f.stateBefore.size - changed.length)} identical at the end, ${n(changed.length)} lost or changed${changed[0] ? ` (${changed[0][0]})` : ''}`,
    target: 'all identical',
    met: f.stateBefore.size > size.jobs && changed.length === 0,
  });

  // 8. The bots: alive, ready, nothing ugly said or logged.
  const lines = bots.flatMap((b) => b.lines);
  const bodies = [
    ...w.slack.responses.map((r) => JSON.stringify(r.body)),
    ...w.slack.calls.map((c) => JSON.stringify(c.args)),
    ...sent.map((s) => s.ack?.body ?? ''),
  ];
  const leakyBodies = bodies.filter((b) => LEAK.test(b)).length;
  const leakyLines = lines.filter((l) => LOG_LEAK.test(l) || !l.startsWith('{'));
  if (leakyLines[0]) notes.push(`first bad log line: ${leakyLines[0].slice(0, 300)}`);
  rows.push({
    tried: `two bot processes through the faults: ${n(bodies.length)} bodies sent to Slack or answered, ${n(lines.length)} log lines`,
    happened: `${bots.filter((b) => b.alive()).length} of 2 alive; /readyz ${f.ready.map((r) => r.status).join(', ')}; ${n(leakyBodies)} bodies and ${n(leakyLines.length)} log lines with a stack trace, [object Object], a raw connection error or outside the logger`,
    target: 'both alive and ready; no such body or line',
    met:
      bots.every((b) => b.alive()) &&
      f.ready.every((r) => r.status === 200) &&
      leakyBodies === 0 &&
      leakyLines.length === 0,
  });

  // 9. The cluster at the end: whole again.
  const live = f.nodesAfter.filter((x) => !x.failed);
  const primaries = live.filter((x) => x.primary);
  const covered = primaries.reduce(
    (a, x) => a + x.slots.reduce((b, [lo, hi]) => b + hi - lo + 1, 0),
    0,
  );
  const home = primaries.find((x) => x.slots.some(([lo, hi]) => f.slot >= lo && f.slot <= hi));
  rows.push({
    tried: `the private cluster after the run (slot ${f.slot} was on ${f.homePort})`,
    happened: `${n(live.length)} nodes up: ${n(primaries.length)} primaries, ${n(live.length - primaries.length)} replicas; ${n(covered)} slots served; slot ${f.slot} on ${home?.port ?? 'NOBODY'}`,
    target: '6 nodes, 3 primaries and 3 replicas, all 16,384 slots served',
    met: live.length === 6 && primaries.length === 3 && covered === 16_384 && home !== undefined,
  });
  return rows;
}
