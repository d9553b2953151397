// The story both cluster campaigns share: a private Redis Cluster, two ftops processes on it,
// watches and status changes, a steady stream of commands and approval trials; the campaign's
// faults in the middle; then everything read back for the report.

import type { BotProcess } from '../../lib/bot-process.ts';
import {
  type Campaign,
  type CampaignResult,
  pick,
  seededRandom,
  waitUntil,
} from '../../lib/campaign.ts';
import { startPrivateCluster } from '../../lib/private-cluster.ts';
import { APPROVER, startWorld, TRAINING, type World } from '../../lib/world.ts';
import { announcer } from '../redis-restart/announcements.ts';
import { answersOf } from '../redis-restart/answers.ts';
import { type Phase, planChanges, type Sent } from '../redis-restart/plan.ts';
import { commander, readyz, sleep } from '../redis-restart/send.ts';
import { APPROVER2, type FaultPlan, FULL, SHORT, type Trial } from './plan.ts';
import { clusterRows } from './rows.ts';
import { slotOf } from './slot.ts';
import { clusterState } from './snapshot.ts';
import { runTrial } from './trials.ts';

export interface ClusterCampaignSpec extends FaultPlan {
  /** First of the private cluster's six ports: full run and short test apart. */
  ports: { full: number; short: number };
  /** The namespace to run under, given the seed (the reshard campaign picks its slot). */
  namespace?: (seed: number) => string;
}

/** Builds the campaign for `spec`. */
export function clusterCampaign(spec: ClusterCampaignSpec): Campaign {
  return async (opts) => {
    const started = performance.now();
    const log = opts.log ?? (() => {});
    const random = seededRandom(opts.seed);
    const size = opts.full ? FULL : SHORT;
    const notes: string[] = [];
    const cluster = await startPrivateCluster({
      firstPort: opts.full ? spec.ports.full : spec.ports.short,
    });
    let world: World | undefined;
    let streaming = true;
    try {
      log(
        `private cluster on 127.0.0.1:${cluster.ports[0]}-${cluster.ports[5]}, dir ${cluster.dir}`,
      );
      world = await startWorld({
        evidence: opts.evidence,
        clusterSeeds: cluster.seeds,
        ...(spec.namespace ? { namespace: spec.namespace(opts.seed) } : {}),
      });
      const w = world;
      const slot = slotOf(w.namespace);
      const home = await cluster.primaryOf(slot);
      log(`namespace {${w.namespace}} in slot ${slot}, on primary ${home?.port}`);

      const channels = Array.from({ length: size.channels }, (_, i) => `C0CLUSTER${i}`);
      for (const [i, id] of channels.entries()) w.slack.addChannel({ id, name: `cluster-${i}` });
      const knobs = {
        role: 'all' as const,
        paceMs: 20,
        fastRetry: true,
        stallMs: 3000,
        recoveryGraceMs: 3000,
        approvalSweepMs: 1000,
        env: {
          FT_POLL_INTERVAL_SECONDS: '1',
          FT_APPROVALS_REQUIRED: '2',
          FT_APPROVER_IDS: `${APPROVER},${APPROVER2}`,
        },
      };
      const bots: BotProcess[] = [
        await w.startBot(`${spec.name}-a`, knobs),
        await w.startBot(`${spec.name}-b`, knobs),
      ];

      let phase: Phase = 'before';
      const answers = answersOf(w);
      const commandOn = (bot: BotProcess) => commander(w, bot, () => phase);
      let turn = 0;
      const command = (text: string, channel: string, jobId: string) =>
        commandOn(bots[turn++ % bots.length] as BotProcess)(text, channel, jobId);

      const { jobs, watcherOf, changes, during, afterDelay } = planChanges(
        w,
        random,
        size,
        channels,
      );
      const trialJobs = Array.from({ length: size.trials }, (_, i) =>
        w.ft.addJob({ status: 'running', user_provided_suffix: `gated-${i}` }),
      );
      const setup: Sent[] = [await command('watch all', TRAINING, 'every')];
      for (const job of jobs)
        setup.push(await command(`watch ${job.id}`, watcherOf.get(job.id) as string, job.id));
      await Promise.all(setup.map((s) => answers.answered(s)));
      const setupOk = setup.filter((s) => answers.verdict(s) === 'normal').length;
      log(`${setupOk}/${setup.length} set-up commands answered`);

      const jobIds = jobs.map((j) => j.id);
      const { announced, make } = announcer(w, changes);
      const streamRandom = seededRandom(opts.seed ^ 0x5eed);
      const stream: Promise<Sent>[] = [];
      const streamer = (async () => {
        while (streaming) {
          const job = jobs[pick(streamRandom, jobs.length)] as (typeof jobs)[number];
          stream.push(command(`status ${job.id}`, watcherOf.get(job.id) as string, job.id));
          await sleep(size.gapMs);
        }
      })();
      // Approval trials in lanes, spread over the run: each lane starts its next trial a
      // little after the last one finished.
      const trials: Trial[] = [];
      let nextTrial = 0;
      const spacing = Math.floor(
        ((size.beforeMs + 3 * size.holdMs) * size.lanes) / Math.max(1, size.trials),
      );
      const lanes = Promise.all(
        Array.from({ length: size.lanes }, async () => {
          for (;;) {
            const i = nextTrial++;
            const job = trialJobs[i];
            if (!job) return;
            trials.push(await runTrial(w, bots, commandOn, answers, job, i));
            await sleep(spacing);
          }
        }),
      );

      for (const c of changes.filter((x) => x.phase === 'before')) await make(c);
      await sleep(size.beforeMs);
      await waitUntil(
        () => changes.filter((c) => c.phase === 'before').every(announced),
        20_000,
        100,
      );
      const stateBefore = await clusterState(w, jobIds);

      const duringWork: Promise<void>[] = [];
      const faults = await spec.run({
        slot,
        log,
        hold: () => sleep(size.holdMs),
        begin: () => {
          phase = 'down';
          // The changes planned "during" are made across the first fault's window.
          if (duringWork.length === 0)
            duringWork.push(
              (async () => {
                for (const c of during) {
                  await sleep(Math.floor((size.outageMs * 0.7) / Math.max(1, during.length)));
                  await make(c);
                }
              })(),
            );
        },
        cluster,
        full: opts.full,
      });
      phase = 'back';
      await Promise.all(duringWork);
      await Promise.all(
        [...afterDelay].map(async ([c, delay]) => {
          await sleep(delay);
          await make(c);
        }),
      );
      await lanes;
      await sleep(size.afterMs);
      streaming = false;
      await streamer;
      const allAnnounced = await waitUntil(() => changes.every(announced), 20_000, 100);
      const sent = await Promise.all(stream);
      await Promise.all(sent.map((s) => answers.answered(s, 5000)));
      // Approved pauses settle (the worker finishes any a dead executor left behind).
      await waitUntil(
        async () => (await w.redis.zcard(w.keys.approvalsApproved())) === 0,
        20_000,
        250,
      );
      const stateAfter = await clusterState(w, jobIds);
      const nodesAfter = await cluster.nodes();
      const ready = await Promise.all(bots.map((b) => readyz(b)));
      const rows = await clusterRows(
        {
          w,
          bots,
          size,
          cluster,
          nodesAfter,
          slot,
          homePort: home?.port,
          faults,
          answers,
          setup,
          setupOk,
          sent,
          changes,
          allAnnounced,
          trials,
          stateBefore,
          stateAfter,
          ready,
          apiKey: opts.evidence.canaries.AZURE_OPENAI_API_KEY,
        },
        notes,
      );
      const result: CampaignResult = {
        name: spec.name,
        title: spec.title,
        rows,
        durationMs: performance.now() - started,
      };
      if (notes.length > 0) result.notes = notes;
      return result;
    } finally {
      streaming = false;
      try {
        if (world) await world.close().catch(() => undefined);
      } finally {
        await cluster.destroy();
      }
    }
  };
}
