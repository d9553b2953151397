import { setTimeout as sleep } from 'node:timers/promises';
import { slashCommandBody } from '../../../src/emulators/slack-signing.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { mapConcurrent, pick, waitUntil } from '../../lib/campaign.ts';
import { firstAnswer } from '../../lib/posts-answers.ts';
import { type Answer, REQUESTER, type World } from '../../lib/world.ts';
import { sweepCount, sweepPostCounter } from './posts.ts';
import { MOVES, type Size, SWEEPS } from './size.ts';

export interface SweepChange {
  jobId: string;
  from: string;
  to: string;
  /** How many Slack calls the emulator had logged when the change was made. */
  callIndex: number;
}

export interface SweepOutcome {
  jobs: string[];
  changes: SweepChange[];
  watchAsks: number;
  watchFailures: number;
  unwatched: number;
  sweepsBefore: number;
  sweepsAfter: number;
  acks: Answer[];
}

/** Watched jobs change status between sweeps, each change only once the last was announced. */
export async function runSweeps(
  world: World,
  bot: BotProcess,
  size: Size,
  random: () => number,
  log: (line: string) => void,
): Promise<SweepOutcome> {
  const out: SweepOutcome = {
    jobs: [],
    changes: [],
    watchAsks: 0,
    watchFailures: 0,
    unwatched: 0,
    sweepsBefore: 0,
    sweepsAfter: 0,
    acks: [],
  };
  const status = new Map<string, string>();
  for (let i = 0; i < size.sweepJobs; i++) {
    const job = world.ft.addJob({ suffix: `sweep-${i}` });
    status.set(job.id, job.status);
    out.jobs.push(job.id);
  }
  // `/ft watch` reads the job first; under faults it may fail, and a person asks again.
  const watched = await mapConcurrent(out.jobs, out.jobs.length, async (jobId) => {
    for (let ask = 1; ask <= 5; ask++) {
      out.watchAsks++;
      const responseUrl = world.slack.responseUrl(SWEEPS, REQUESTER);
      out.acks.push(
        await world.signed(
          bot,
          slashCommandBody({
            text: `watch ${jobId}`,
            user_id: REQUESTER,
            channel_id: SWEEPS,
            response_url: responseUrl,
          }),
        ),
      );
      const answer = await firstAnswer(world, responseUrl, size.stallMs);
      if (answer?.includes('will hear about every status change')) return true;
      out.watchFailures++;
    }
    return false;
  });
  // A job nobody managed to watch has nothing to announce; the first row shows it.
  out.unwatched = out.jobs.filter((_, i) => !watched[i]).length;
  out.jobs = out.jobs.filter((_, i) => watched[i]);

  const posts = sweepPostCounter(world);
  const made = new Map<string, number>(out.jobs.map((j) => [j, 0]));
  const waitingSince = new Map<string, number>();
  const change = (jobId: string, to: string) => {
    const from = status.get(jobId) ?? '';
    world.ft.setStatus(jobId, to);
    status.set(jobId, to);
    out.changes.push({ jobId, from, to, callIndex: world.slack.calls.length });
    made.set(jobId, (made.get(jobId) ?? 0) + 1);
    waitingSince.set(jobId, Date.now());
  };
  /** A job may change again once its last change was announced, or given up on as lost. */
  const ready = (jobId: string) => {
    const since = waitingSince.get(jobId);
    if (since === undefined) return true;
    if (posts(jobId) >= (made.get(jobId) ?? 0) || Date.now() - since > size.stallMs) {
      waitingSince.delete(jobId);
      return true;
    }
    return false;
  };

  out.sweepsBefore = sweepCount(bot);
  while (sweepCount(bot) - out.sweepsBefore < size.sweeps) {
    for (const jobId of out.jobs) {
      if (!ready(jobId) || random() < 0.3) continue;
      const current = status.get(jobId);
      const options = MOVES.filter((s) => s !== current);
      change(jobId, options[pick(random, options.length)] as string);
    }
    await sleep(100);
  }
  log(`${sweepCount(bot) - out.sweepsBefore} sweeps; finishing the sweep jobs`);
  // Each job ends finished, the change a channel most needs to hear.
  await waitUntil(() => out.jobs.every(ready), size.stallMs, 100);
  for (const jobId of out.jobs) change(jobId, random() < 0.5 ? 'succeeded' : 'failed');
  await waitUntil(() => out.jobs.every((j) => posts(j) >= (made.get(j) ?? 0)), size.stallMs, 100);
  return out;
}
