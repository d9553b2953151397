import { setTimeout as sleep } from 'node:timers/promises';
import { ApprovalStore } from '../../../src/store/approvals.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { type Campaign, type CampaignResult, n, seededRandom } from '../../lib/campaign.ts';
import { startWorld } from '../../lib/world.ts';
import { killAtApi } from './kill-at-api.ts';
import { GRACE_MS, LANES, planTrials, SWEEP_MS } from './plan.ts';
import { judge } from './rows.ts';
import { runTrial, type Trial } from './trial.ts';

/**
 * Campaign 9, approval crashes: the web process that counted the deciding Approve click is
 * SIGKILLed while it executes the pause, at one of three moments chosen by seed: when its
 * POST …/pause reaches the API (held there, so it has no effect), after the API applied the
 * pause but before it answered, or a random short delay after the click was acked. A worker
 * with a short recovery grace must take over every request left `approved`, and the job must
 * be paused exactly once, the request finished in the approver's name, and the requester told
 * once in the approval thread. The web process is restarted after every kill.
 */

export const runApprovalCrashes: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const total = opts.full ? 40 : 4;
  const plans = planTrials(random, total);

  const world = await startWorld({ evidence: opts.evidence });
  let result: CampaignResult;
  try {
    const armed = killAtApi(world);
    const [worker, ...webs] = await Promise.all([
      world.startBot('worker', {
        role: 'worker',
        recoveryGraceMs: GRACE_MS,
        approvalSweepMs: SWEEP_MS,
      }),
      ...Array.from({ length: LANES }, (_, l) => world.startBot(`web-${l}`, { role: 'web' })),
    ]);
    log(`worker (pid ${worker?.pid}) and ${webs.length} web processes up`);
    const lanes = webs.map((bot) => ({ bot, restarts: 0 }));
    const store = new ApprovalStore({ redis: world.redis, keys: world.keys });
    const trials: Trial[] = [];
    let done = 0;
    await Promise.all(
      lanes.map(async (lane, l) => {
        for (const plan of plans.filter((p) => p.index % LANES === l)) {
          trials.push(await runTrial(world, store, armed, lane, l, plan));
          done++;
          if (done % 10 === 0) log(`${done} of ${total} trials`);
        }
      }),
    );
    trials.sort((a, b) => a.index - b.index);
    // A late second pause or a second "approved" reply would come from a later sweep.
    await sleep(GRACE_MS + SWEEP_MS);
    result = {
      name: 'approval-crashes',
      title: '2b. Approval crashes',
      rows: await judge(
        world,
        store,
        worker as BotProcess,
        trials,
        opts.evidence.canaries.AZURE_OPENAI_API_KEY,
      ),
      durationMs: 0,
      notes: [
        `${n(total)} trials over ${LANES} web processes (each restarted after its kill) and one worker sweeping every ${SWEEP_MS} ms with a ${GRACE_MS / 1000} s recovery grace (production: 30 s and 10 min).`,
        'Fixed: a web process killed after it recorded `executed` but before it audited the outcome and replied in the thread left the requester never told (and sometimes no outcome audited), because recovery only took requests still `approved`. A request now stays in the recovery index until it has been told; a recovery skips what the dead process already audited or told (test/handlers/approval-recovery.test.ts).',
      ],
    };
  } finally {
    await world.close();
  }
  result.durationMs = Date.now() - t0;
  return result;
};
