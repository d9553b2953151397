import { setTimeout as sleep } from 'node:timers/promises';
import { type Campaign, type Row, seededRandom, waitUntil } from '../../lib/campaign.ts';
import { startWorld } from '../../lib/world.ts';
import { announcedRow, approvalRows, countEffects } from './approval-rows.ts';
import { runApprovals } from './approvals.ts';
import { ackRow, faultRow, hygieneRow } from './checks.ts';
import { sweepCount, trainingCards } from './posts.ts';
import { FAULT_RATE, FULL, KINDS, RETRY_AFTER_MS, SHORT, SWEEPS } from './size.ts';
import { sweepRows } from './sweep-rows.ts';
import { runSweeps } from './sweeps.ts';

/**
 * Campaign 6, API faults. The fine-tuning emulator answers 30 % of requests with a 429 (with
 * `retry-after-ms`), a 500, a 500 after the request took effect, a timeout or a body that is
 * not JSON, while one real bot (role `all`) runs approvals and sweeps against it:
 * - approvals: per approval a running job; the requester asks `/ft pause`, the approver clicks
 *   Approve; every pause effect is counted from the job's events in the emulator, and what each
 *   user was told is read from the response_urls, the approval message and its thread;
 * - sweeps: watched jobs in a channel of their own change status between sweeps (one change at
 *   a time per job, the next only once the last is announced), and every change must be
 *   announced exactly once; approved pauses must be announced once in the asking channel.
 * The share of faulted requests is read back from the emulator's request log.
 */

export const runApiFaults: Campaign = async (opts) => {
  const started = Date.now();
  const size = opts.full ? FULL : SHORT;
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const world = await startWorld({ evidence: opts.evidence });
  const notes: string[] = [];
  try {
    world.slack.addChannel({ id: SWEEPS, name: 'chaos-sweeps' });
    const faultConfig = {
      rate: FAULT_RATE,
      kinds: KINDS,
      retryAfterMs: RETRY_AFTER_MS,
      seed: opts.seed,
    };
    world.ft.setFaults(faultConfig);
    const bot = await world.startBot('api-faults', {
      role: 'all',
      apiTimeoutMs: 1000,
      fastRetry: true,
      paceMs: 20,
      env: { FT_POLL_INTERVAL_SECONDS: '1' },
    });
    log(`bot up (pid ${bot.pid}); ${size.approvals} approvals and ${size.sweeps} sweeps`);

    const [approvals, sweeps] = await Promise.all([
      runApprovals(world, bot, size, log),
      runSweeps(world, bot, size, random, log),
    ]);

    // Approved pauses are announced in the asking channel by the poller.
    const done = approvals.filter((a) => a.outcome === 'done');
    const cards = (jobId: string) => trainingCards(world, jobId);
    await waitUntil(() => done.every((a) => cards(a.jobId) >= 1), size.stallMs, 200);
    await sleep(opts.full ? 2500 : 1500); // another sweep or two, to catch a late duplicate
    sweeps.sweepsAfter = sweepCount(bot);

    // The fault plan ends here; everything after is the campaign reading the results.
    const faulted = world.ft.requests.slice();
    world.ft.setFaults(null);
    await countEffects(world, opts.evidence.canaries.AZURE_OPENAI_API_KEY, approvals);
    const rows: Row[] = [
      ...approvalRows(approvals, size),
      announcedRow(done, cards),
      ...sweepRows(world, sweeps, size),
      faultRow(faulted, faultConfig, size),
      ackRow(approvals, sweeps.acks),
      hygieneRow(world, bot),
    ];
    if (!bot.alive()) notes.push('the bot process died during the campaign');
    return {
      name: 'api-faults',
      title: '6. API faults',
      rows,
      durationMs: Date.now() - started,
      ...(notes.length ? { notes } : {}),
    };
  } finally {
    await world.close();
  }
};
