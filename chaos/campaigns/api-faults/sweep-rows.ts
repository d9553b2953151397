import { statusLabel } from '../../../src/views/status.ts';
import { n, type Row } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import { indexed, sweepPosts, sweepReports } from './posts.ts';
import { type Size, SWEEPS } from './size.ts';
import type { SweepChange, SweepOutcome } from './sweeps.ts';

/** The sweeps' rows: enough sweeps ran, and every change was announced once, named right. */
export function sweepRows(world: World, s: SweepOutcome, size: Size): Row[] {
  const byJob = new Map<string, SweepChange[]>();
  for (const c of s.changes) byJob.set(c.jobId, [...(byJob.get(c.jobId) ?? []), c]);
  let lost = 0;
  let twice = 0;
  let wrong = 0;
  let once = 0;
  const examples: string[] = [];
  for (const [jobId, changes] of byJob) {
    const posts = sweepPosts(world, jobId);
    // Cards as posted or updated: their text names the change as `from → to`.
    const cardTexts = indexed(
      world,
      (c) =>
        (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
        c.ok &&
        c.args.channel === SWEEPS &&
        !c.args.thread_ts &&
        String(c.args.text ?? '').includes(jobId),
    );
    changes.forEach((c, i) => {
      // Its window: from the change to the next change of the same job, in call-log order.
      const end = changes[i + 1]?.callIndex ?? Number.POSITIVE_INFINITY;
      const within = (p: { index: number }) => p.index >= c.callIndex && p.index < end;
      const inWindow = posts.filter(within).length;
      const arrow = `${statusLabel(c.from)} → ${statusLabel(c.to)}`;
      const named = cardTexts.some((p) => within(p) && String(p.args.text ?? '').includes(arrow));
      if (inWindow === 0) lost++;
      else if (inWindow > 1) twice += inWindow - 1;
      if (inWindow >= 1 && !named) wrong++;
      if (inWindow === 1 && named) once++;
      if ((inWindow !== 1 || !named) && examples.length < 3)
        examples.push(
          `${jobId} ${arrow}: ${inWindow} posts${named ? '' : ', card never named it'}`,
        );
    });
  }
  const sweeps = s.sweepsAfter - s.sweepsBefore;
  const logged = sweepReports(world);
  const unread = logged.filter((r) => r.unread > 0).length;
  const ex = examples.length ? ` (${examples.join('; ')})` : '';
  return [
    {
      tried: `${n(size.sweeps)}+ sweeps every second over ${n(s.jobs.length)} watched jobs (plus the approved ones), ${n(s.watchAsks)} /ft watch asks (${n(s.watchFailures)} answered with a failure and asked again, ${n(s.unwatched)} jobs never watched)`,
      happened: `${n(sweeps)} sweeps logged during the run, ${n(unread)} of all ${n(logged.length)} left a job unread for the next sweep; ${n(s.changes.length)} status changes made, one at a time per job`,
      target: `≥ ${n(size.sweeps)} sweeps, each change made only after the last was announced`,
      met: sweeps >= size.sweeps && s.unwatched === 0 && s.changes.length >= s.jobs.length * 2,
    },
    {
      tried: `${n(s.changes.length)} status changes of watched jobs between sweeps`,
      happened: `${n(once)} announced exactly once and named right; ${n(lost)} never announced, ${n(twice)} extra announcements, ${n(wrong)} announced without naming the change${ex}`,
      target: '0 transitions lost, 0 announced twice',
      met:
        s.changes.length > 0 &&
        lost === 0 &&
        twice === 0 &&
        wrong === 0 &&
        once === s.changes.length,
    },
  ];
}
