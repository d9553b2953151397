import { type Campaign, type CampaignResult, n, seededRandom } from '../../lib/campaign.ts';
import { startWorld } from '../../lib/world.ts';
import { announcements, expectedAnnouncements } from './announcements.ts';
import { countPosts, liveCards } from './count.ts';
import { drain, finishChanges } from './drain.ts';
import { type Driver, startDriver } from './driver.ts';
import { killAndRestart } from './kill-loop.ts';
import { FULL, SHORT } from './plan.ts';
import { crashRows, restartNote } from './rows.ts';
import { watchedJobs } from './setup.ts';
import { killOnPost, workerSlots } from './workers.ts';

/**
 * 4. Crashes. Two worker processes (the real bot, role `worker`) poll 200 watched jobs and
 * announce their changes in 20 channels while one of them at a time is SIGKILLed and started
 * again. Some kills land at random moments; others exactly between Slack accepting a post and
 * the worker recording it: the Slack emulator holds the answer of the next post from the
 * victim, the campaign kills the victim, and only then is the answer sent (to nobody).
 *
 * Every job walks running → pausing → paused → resuming → running → succeeded, one step at a
 * time, and a step is taken only once the workers have recorded the previous one, so every
 * change is observable. Each announcement (a card or a thread reply) carries Slack message
 * metadata naming the job and the change's seq, so the posts Slack accepted can be counted
 * exactly against the changes made: per channel, job and seq, none missing, and every extra
 * copy explained by a kill: its earlier copy was posted by a worker that then died, and one
 * kill explains at most one extra per notification that worker had in flight.
 */

export const runCrashes: Campaign = async (opts): Promise<CampaignResult> => {
  const t0 = performance.now();
  const size = opts.full ? FULL : SHORT;
  const say = opts.log ?? (() => {});
  const log = (line: string) => say(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${line}`);
  const random = seededRandom(opts.seed);
  const world = await startWorld({ evidence: opts.evidence });
  const notes: string[] = [];
  // The driver runs until told; a failure half-way must stop it too (see finally).
  let driver: Driver | undefined;
  try {
    const { channels, jobs, watchers, statuses, due, planned } = await watchedJobs(
      world,
      random,
      size,
    );
    log(`${n(size.jobs)} jobs, ${n(channels.length)} channels, ${n(due)} announcements due`);

    const workers = workerSlots(world);
    await Promise.all([workers.start('A'), workers.start('B')]);
    log('both workers listening');
    const postKiller = killOnPost(world, workers);

    driver = startDriver(world, statuses, jobs, random, planned);
    const kills = await killAndRestart(
      { random, size, full: opts.full, log },
      workers,
      postKiller,
      driver,
      planned,
    );

    // Let the changes finish, then every announcement and retry settle.
    const changes = await finishChanges(driver, statuses, jobs, planned);
    log(`all changes made and recorded`);
    if (!changes.finished || !changes.recordedAll)
      notes.push(
        `changes stopped early: ${n(driver.made.length)} made, ${n(changes.unrecordedAtEnd)} jobs unrecorded`,
      );
    const expected = expectedAnnouncements(driver.made, watchers);
    const drained = await drain(world, expected, size.drainMs);
    log(`drained in ${(drained.ms / 1000).toFixed(1)} s`);

    const count = countPosts(announcements(world), expected, postKiller.interrupted, kills.clients);
    notes.push(restartNote(kills, drained.ms, opts.full));
    const rows = crashRows({
      size,
      channels: channels.length,
      planned,
      made: driver.made.length,
      recordedAll: changes.recordedAll,
      unrecordedAtEnd: changes.unrecordedAtEnd,
      kills,
      due,
      expected: expected.size,
      settled: drained.settled,
      drainMs: drained.ms,
      count,
      interrupted: postKiller.interrupted.length,
      cards: await liveCards(world, jobs, watchers, driver.done),
      workers: workers.all,
    });
    return {
      name: 'crashes',
      title: '4. Crashes',
      rows,
      durationMs: performance.now() - t0,
      notes,
    };
  } finally {
    driver?.halt();
    await world.close();
  }
};
