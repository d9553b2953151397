import { DEFAULT_NOTIFY_CONCURRENCY } from '../../../src/poller/notify-worker.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import type { Count } from './count.ts';
import type { Kills } from './kill-loop.ts';
import { PATH, POST_WAIT_MS, type Size, STALL_MS, STEPS } from './plan.ts';

/** Everything the rows are read from. */
export interface Figures {
  size: Size;
  channels: number;
  planned: number;
  made: number;
  recordedAll: boolean;
  unrecordedAtEnd: number;
  kills: Kills;
  due: number;
  expected: number;
  settled: boolean;
  drainMs: number;
  count: Count;
  interrupted: number;
  cards: { total: number; current: number };
  workers: BotProcess[];
}

export function crashRows(f: Figures): Row[] {
  const { size, kills: k, count: c, due } = f;
  const { posted, lost, duplicates, duplicatesOfInterrupted, unexplained, mostFromOneKill } = c;
  const kills = k.postKills + k.randomKills;
  const lines = f.workers.flatMap((b) => b.lines);
  const badLines = lines.filter(
    (l) => /\[object Object\]/.test(l) || /\\n\s+at [^\s]+ \(/.test(l) || /"stack":/.test(l),
  );
  return [
    {
      tried: `${n(f.planned)} status changes over ${n(size.jobs)} watched jobs in ${n(f.channels)} channels (1–3 channels per job), two workers polling every second`,
      happened: `${n(f.made)} made, each only after the previous one of its job was recorded; ${f.recordedAll ? 'all' : `all but ${n(f.unrecordedAtEnd)} jobs'`} recorded by the workers`,
      target: 'every change made and recorded',
      met: f.made === f.planned && f.recordedAll,
    },
    {
      tried: `${n(size.kills)} SIGKILLs of one of the two workers (${n(size.postKills)} planned between a Slack post and its record), each restarted`,
      happened: `${n(kills)} kills (A ${n(k.bySlot.A)}, B ${n(k.bySlot.B)}): ${n(k.postKills)} between a post and its record, ${n(k.randomKills)} at random moments${k.fallbacks ? ` (${n(k.fallbacks)} waited ${POST_WAIT_MS / 1000} s for a post in vain)` : ''}; ${n(k.restarts)} restarts`,
      target: 'all kills and restarts done, some between post and record',
      met: kills === size.kills && k.restarts === size.kills && k.postKills >= 1,
    },
    {
      tried: `${n(due)} announcements due (change × watching channel)`,
      happened: `${n(due - lost.length)} announced, ${n(lost.length)} lost${lost.length ? ` (e.g. ${lost.slice(0, 3).join(', ')})` : ''}; settled ${f.settled ? 'in' : 'NOT within'} ${(f.drainMs / 1000).toFixed(1)} s after the last change`,
      target: 'no change lost',
      met: lost.length === 0 && f.expected === due && f.settled,
    },
    {
      tried: `${n(posted.length)} announcement posts Slack accepted, counted per channel, job and change (message metadata)`,
      happened: `${n(duplicates)} duplicate${duplicates === 1 ? '' : 's'}: ${n(duplicatesOfInterrupted)} re-posts of the ${n(f.interrupted)} posts whose worker was killed before recording them, ${n(duplicates - duplicatesOfInterrupted)} after other kills; ${n(unexplained)} first posted by a worker that was not killed; at most ${n(mostFromOneKill)} from one kill`,
      target: `none without a kill, at most one per notification in flight at the kill (≤ ${DEFAULT_NOTIFY_CONCURRENCY} per kill, ≤ ${n(kills * DEFAULT_NOTIFY_CONCURRENCY)} in all), reported exactly`,
      met:
        unexplained === 0 &&
        mostFromOneKill <= DEFAULT_NOTIFY_CONCURRENCY &&
        posted.length === due - lost.length + duplicates + c.unexpected,
    },
    {
      tried: 'announcements checked against the changes made',
      happened: `${n(c.unexpected)} announced a change never made, ${n(c.mismatched)} named the wrong statuses`,
      target: '0',
      met: c.unexpected === 0 && c.mismatched === 0,
    },
    {
      tried: `${n(f.cards.total)} live cards (one per job and watching channel)`,
      happened: `${n(f.cards.current)} show the job's last change (seq ${STEPS}, ${PATH[STEPS]})`,
      target: 'all',
      met: f.cards.current === f.cards.total && f.cards.total === due / STEPS,
    },
    {
      tried: 'the work shared by both workers',
      happened: `announcements posted by A's processes ${n(c.byClient.A)}, by B's ${n(c.byClient.B)}`,
      target: 'both announce',
      met: c.byClient.A > 0 && c.byClient.B > 0 && c.byClient.A + c.byClient.B === posted.length,
    },
    {
      tried: `${n(lines.length)} log lines of ${n(f.workers.length)} worker processes`,
      happened: `${n(badLines.length)} with a stack trace or [object Object]`,
      target: '0',
      met: badLines.length === 0,
    },
  ];
}

/** How long restarts and the final settling took, next to production's waits. */
export function restartNote(k: Kills, drainMs: number, full: boolean): string {
  const sorted = [...k.restartMs].sort((a, b) => a - b);
  const median = (sorted[Math.floor(sorted.length / 2)] ?? 0) / 1000;
  return `a restart took ${median.toFixed(1)} s (median) to listen again; ${full ? 'the run' : 'this short run'} spent ${(k.restartMs.reduce((a, b) => a + b, 0) / 1000).toFixed(0)} s restarting workers and ${(drainMs / 1000).toFixed(0)} s settling after the last change (a killed worker's notifications wait for BullMQ's stalled-job check: ${STALL_MS / 1000} s lock and interval and a ${(2 * STALL_MS) / 1000} s card lock here, 30 s and 60 s in production)`;
}
