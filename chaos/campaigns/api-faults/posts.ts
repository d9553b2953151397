import type { SlackCall } from '../../../src/emulators/slack/index.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { TRAINING, type World } from '../../lib/world.ts';
import { SWEEPS } from './size.ts';

/** Cards posted for `jobId` in the asking channel: how approved pauses are announced. */
export function trainingCards(world: World, jobId: string): number {
  return world.slack.calls.filter(
    (c) =>
      c.method === 'chat.postMessage' &&
      c.args.channel === TRAINING &&
      !c.args.thread_ts &&
      String(c.args.text ?? '').includes(jobId),
  ).length;
}

/** Counts, per job, the messages posted about it in the sweeps channel: its card and replies. */
export function sweepPostCounter(world: World): (jobId: string) => number {
  return (jobId) => sweepPosts(world, jobId).length;
}

/** Those posts with their place in the emulator's call log (which orders them exactly). */
export function sweepPosts(world: World, jobId: string): Array<SlackCall & { index: number }> {
  const card = (world.slack.messages.get(SWEEPS) ?? []).find(
    (m) => !m.ephemeral && !m.thread_ts && m.text.includes(jobId),
  );
  return indexed(
    world,
    (c) =>
      c.method === 'chat.postMessage' &&
      c.ok &&
      c.args.channel === SWEEPS &&
      (c.args.thread_ts
        ? card !== undefined && c.args.thread_ts === card.ts
        : String(c.args.text ?? '').includes(jobId)),
  );
}

/** The calls that pass `keep`, each with its place in the log (no copy of the rest). */
export function indexed(
  world: World,
  keep: (c: SlackCall) => boolean,
): Array<SlackCall & { index: number }> {
  const out: Array<SlackCall & { index: number }> = [];
  world.slack.calls.forEach((c, index) => {
    if (keep(c)) out.push({ ...c, index });
  });
  return out;
}

/** Sweeps the bot has logged so far (done or failed). */
export function sweepCount(bot: BotProcess): number {
  let count = 0;
  for (const line of bot.lines)
    if (line.includes('"msg":"sweep done"') || line.includes('"msg":"sweep failed"')) count++;
  return count;
}

/** The poller's own account of its sweeps, from its log lines in the evidence order. */
export function sweepReports(world: World): Array<{ unread: number }> {
  const out: Array<{ unread: number }> = [];
  for (const bot of world.bots) {
    for (const line of bot.lines) {
      if (!line.includes('"msg":"sweep done"')) continue;
      try {
        const parsed = JSON.parse(line) as { unread?: unknown[] };
        out.push({ unread: Array.isArray(parsed.unread) ? parsed.unread.length : 0 });
      } catch {
        // not a JSON line
      }
    }
  }
  return out;
}
