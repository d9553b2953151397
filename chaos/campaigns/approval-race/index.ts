import { setTimeout as sleep } from 'node:timers/promises';
import type { BotProcess } from '../../lib/bot-process.ts';
import { type Campaign, type CampaignResult, seededRandom } from '../../lib/campaign.ts';
import { APPROVER, startWorld } from '../../lib/world.ts';
import { APPROVERS, CLICKS_PER_TRIAL, GROUP_APPROVERS } from './people.ts';
import { judge } from './rows.ts';
import { runTrial, type Trial } from './trial.ts';

/**
 * Campaign 2, the approval race: a pause request is posted for approval, then 50 signed
 * Approve clicks land on it at once, alternating between two web processes that share one
 * Redis, from several approvers, the requester and an outsider. Whatever the interleaving,
 * the job must get exactly one pause call, the audit must name one deciding approver who
 * clicked, the requester and the outsider must never decide, and every click must be answered
 * on its own response_url.
 */

export const runApprovalRace: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const trialsWanted = opts.full ? 200 : 4;

  const world = await startWorld({ evidence: opts.evidence });
  const trials: Trial[] = [];
  let bots: BotProcess[] = [];
  let result: CampaignResult;
  try {
    for (const id of GROUP_APPROVERS) world.slack.addUser({ id, name: id.toLowerCase() });
    world.slack.setUsergroup('S0APPROVERS', [APPROVER, ...GROUP_APPROVERS]);
    world.ft.setFaults({ retryAfterMs: 0 });
    bots = await Promise.all([
      world.startBot('web-a', { role: 'web' }),
      world.startBot('web-b', { role: 'web' }),
    ]);
    log(`two web processes up (pids ${bots.map((b) => b.pid).join(', ')})`);

    for (let i = 0; i < trialsWanted; i++) {
      trials.push(await runTrial(world, bots, random, i));
      if ((i + 1) % 20 === 0)
        log(`${i + 1} of ${trialsWanted} trials; ${phases(trials.slice(-20))}`);
    }
    // Late effects (a second pause call, a second answer) would show up after a trial's own
    // wait; give the last trial's stragglers a moment before counting.
    await sleep(500);
    result = {
      name: 'approval-race',
      title: '2. Approval race',
      rows: judge(world, bots, trials),
      durationMs: 0,
      notes: [
        `${trials.length} trials of ${CLICKS_PER_TRIAL} concurrent Approve clicks over two web processes; approvers ${APPROVERS.join(', ')} (${GROUP_APPROVERS.length} via S0APPROVERS).`,
        `Per trial on average: ${phases(trials)}.`,
        'Fixed: `/ft audit <job>` showed only the 20 newest entries, so the refusals of a burst of late clicks pushed who decided out of view; requests, decisions and executions are now always shown (test/e2e/audit-decisions.test.ts).',
      ],
    };
  } finally {
    await world.close();
  }
  result.durationMs = Date.now() - t0;
  return result;
};

/** Average wall time of each phase of `trials`, in words. */
function phases(trials: readonly Trial[]): string {
  const avg = (i: number) =>
    Math.round(trials.reduce((s, t) => s + t.phaseMs[i as 0], 0) / Math.max(1, trials.length));
  return `request posted ${avg(0)} ms, 50 clicks acked ${avg(1)} ms, all answered ${avg(2)} ms more, audit read ${avg(3)} ms`;
}
