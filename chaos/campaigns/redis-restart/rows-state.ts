// Rows 6–10 of the report: nothing lost in Redis, the approval decided once, every change
// announced, the bot unharmed, and proof the Redis stopped was a private one.
import { n, type Row } from '../../lib/campaign.ts';
import { SHARED_REDIS_URL, TRAINING } from '../../lib/world.ts';
import { clickText, pauseCalls } from './approval.ts';
import { LEAK, LOG_LEAK, phases } from './plan.ts';
import type { Figures } from './rows.ts';

export function stateRows(f: Figures, notes: string[]): Row[] {
  const { w, bot, sent, changes, jobs, watcherOf, approvalJob, request } = f;
  const { durable, durableAfter, watching, pendingAfter, approveClick, lateClick } = f;
  const { beforeAnnounced, allAnnounced, alive, readyAfter, outageLogLines, redis, exit, size } = f;
  const { downAt, backAt } = f.times;
  const { answerText } = f.answers;
  const rows: Row[] = [];
  // 6. Nothing lost in Redis; watches and the pending approval visible to users.
  const lostKeys = [...durable.entries()].filter(([k, v]) => durableAfter.get(k) !== v);
  const watchMisses = watching.flatMap(({ ch, text }) =>
    ch === TRAINING
      ? /all/i.test(text)
        ? []
        : [`${ch}: all`]
      : jobs
          .filter((j) => watcherOf.get(j.id) === ch && !text.includes(j.id))
          .map((j) => `${ch}: ${j.id}`),
  );
  const pendingText = answerText(pendingAfter) ?? '';
  rows.push({
    tried: `${n(durable.size)} durable keys (subscriptions, approvals, last statuses of jobs not changed during the outage) read before the stop; /ft watching in ${n(watching.length)} channels and /ft approvals after`,
    happened: `${n(durable.size - lostKeys.length)} identical after the restart, ${n(lostKeys.length)} lost or changed${
      lostKeys.length
        ? ` (${lostKeys
            .slice(0, 3)
            .map(([k]) => k)
            .join(', ')})`
        : ''
    }; ${n(watchMisses.length)} watches missing from /ft watching; pending approval ${pendingText.includes(approvalJob.id) ? 'listed' : 'NOT listed'}`,
    target: 'all identical; every watch and the pending approval still there',
    met:
      durable.size > jobs.length &&
      lostKeys.length === 0 &&
      watchMisses.length === 0 &&
      pendingText.includes(approvalJob.id),
  });

  // 7. The approval after the outage: one pause.
  const approveText = approveClick ? clickText(w, approveClick) : undefined;
  const lateText = lateClick ? clickText(w, lateClick) : undefined;
  const pauses = pauseCalls(w, approvalJob.id);
  rows.push({
    tried:
      'the approver approves the pre-outage pause request after the restart, then clicks again',
    happened: `request ${request ? 'found' : 'NOT found'}; first click: ${short(approveText)}; second: ${short(lateText)}; pause calls: ${n(pauses)}`,
    target: 'approved once, the second click "already", exactly 1 pause call',
    met:
      request !== undefined &&
      approveText?.includes('Approved') === true &&
      lateText?.includes('already') === true &&
      pauses === 1,
  });

  // 8. Every change announced in every channel watching it, once.
  const perPhase = phases.map((p) => {
    const list = changes.filter((c) => c.phase === p);
    return `${p} ${n(list.filter((c) => c.channels.every((ch) => c.seen.has(ch))).length)}/${n(list.length)}`;
  });
  const cards = new Map<string, number>();
  for (const call of w.slack.callsTo('chat.postMessage')) {
    const text = typeof call.args.text === 'string' ? call.args.text : '';
    if (call.args.thread_ts || !call.ok) continue;
    for (const job of jobs) {
      if (text.includes(`${job.id} `) || text.includes(`${job.id}:`))
        cards.set(
          `${call.args.channel}/${job.id}`,
          (cards.get(`${call.args.channel}/${job.id}`) ?? 0) + 1,
        );
    }
  }
  const doubled = [...cards.values()].filter((v) => v > 1).length;
  rows.push({
    tried: `${n(changes.length)} status changes (${phases.map((p) => `${n(changes.filter((c) => c.phase === p).length)} ${p}`).join(', ')} the outage), each watched by 2 channels`,
    happened: `announced everywhere: ${perPhase.join(', ')} (before the stop: ${beforeAnnounced ? 'all' : 'NOT all'}); ${n(cards.size)} cards, ${n(doubled)} posted twice`,
    target: 'every change announced in every watching channel; one card per job and channel',
    met:
      beforeAnnounced &&
      allAnnounced &&
      changes.length > 0 &&
      cards.size === jobs.length * 2 &&
      doubled === 0,
  });

  // 9. The bot itself: alive, ready, nothing ugly in what it said or logged.
  const bodies = [
    ...w.slack.responses.map((r) => JSON.stringify(r.body)),
    ...w.slack.calls.map((c) => JSON.stringify(c.args)),
    ...sent.map((s) => s.ack?.body ?? ''),
  ];
  const leakyBodies = bodies.filter((b) => LEAK.test(b)).length;
  const leakyLines = bot.lines.filter((l) => LOG_LEAK.test(l));
  // Anything not written by the logger (stderr prints of a library) is a finding too.
  const rawLines = bot.lines.filter((l) => !l.startsWith('{'));
  rows.push({
    tried: `the bot through the restart: ${n(bodies.length)} bodies it sent to Slack or answered with, ${n(bot.lines.length)} log lines`,
    happened: `${alive ? 'alive' : 'DEAD'}; /readyz after: ${readyAfter.status}; ${n(leakyBodies)} bodies with a stack trace, [object Object] or a raw connection error; ${n(leakyLines.length)} log lines with a stack trace or [object Object]; ${n(rawLines.length)} lines printed outside the logger; ${n(outageLogLines)} log lines while Redis was down`,
    target: 'alive and ready; no such body or line',
    met:
      alive &&
      readyAfter.status === 200 &&
      leakyBodies === 0 &&
      leakyLines.length === 0 &&
      rawLines.length === 0,
  });
  const firstBad = leakyLines[0] ?? rawLines[0];
  if (firstBad) notes.push(`first bad log line: ${firstBad.slice(0, 300)}`);

  // 10. It really was a private Redis, really stopped, with an AOF fsynced on every write.
  rows.push({
    tried: `a private redis-server on port ${redis.port} (appendonly yes, appendfsync always), stopped with SIGTERM and started again on the same dir`,
    happened: `${redis.url === SHARED_REDIS_URL ? 'the SHARED Redis' : 'private'}; stop: exit ${exit.code ?? exit.signal}; started ${n(redis.starts)} times; down ${n(backAt - downAt)} ms`,
    target: `private, stopped for ~${n(size.outageMs)} ms, started twice`,
    met:
      redis.port !== 6379 &&
      redis.starts === 2 &&
      backAt - downAt >= size.outageMs &&
      exit.code === 0,
  });
  return rows;
}

function short(text: string | undefined): string {
  if (text === undefined) return 'no answer';
  const m = /"text":"([^"]{0,100})/.exec(text);
  return `"${m?.[1] ?? text.slice(0, 100)}"`;
}
