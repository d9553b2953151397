import { signRequest } from '../../../src/emulators/slack-signing.ts';
import {
  type Campaign,
  type CampaignOptions,
  type CampaignResult,
  mapConcurrent,
  n,
  seededRandom,
  waitUntil,
} from '../../lib/campaign.ts';
import { startWorld } from '../../lib/world.ts';
import { readBotLog } from './bot-log.ts';
import { sendForged } from './forge.ts';
import { newUnit, planRequests, schedule } from './plan.ts';
import { buildRows } from './rows.ts';
import { countAnswers, quiet, replayAfterAnswer, send, sendValid } from './send.ts';
import { traceEffects } from './trace.ts';
import { type AuthenticityFigures, evaluate } from './verdicts.ts';

/**
 * 1. Authenticity. One web bot (no poller: every API call and Slack post it makes is caused by
 * a request) takes a seeded mix of valid requests, forgeries of every kind the issue lists and
 * byte-identical replays of valid requests, at bounded concurrency. Every request names a job
 * of its own and carries a response_url of its own, so afterwards each effect seen by the
 * emulators or left in Redis can be traced to the one request that asked for it.
 */

export const runAuthenticity: Campaign = async (opts) =>
  (await runAuthenticityWithFigures(opts)).result;

/** The campaign, with the raw figures behind its rows (for the short test). */
export async function runAuthenticityWithFigures(
  opts: CampaignOptions,
): Promise<{ result: CampaignResult; figures: AuthenticityFigures }> {
  const t0 = performance.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const total = opts.full ? 20_000 : 600;
  const concurrency = opts.full ? 24 : 16;
  const validCount = Math.round(total * 0.2);
  const replayCount = Math.round(total * 0.12);
  const forgedCount = total - validCount - replayCount;

  const world = await startWorld({ evidence: opts.evidence });
  const secret = opts.evidence.canaries.SLACK_SIGNING_SECRET;
  try {
    const bot = await world.startBot('authenticity', { role: 'web' });
    log(`bot ${bot.pid} up; ${n(total)} requests to send`);
    const answers = countAnswers(world);

    const { valid, forged } = planRequests(world, random, {
      valid: validCount,
      replays: replayCount,
      forged: forgedCount,
    });
    const units = [...valid, ...forged];
    const tasks = schedule(random, valid, forged, {
      valid: (u) => sendValid(world, bot, secret, u),
      forged: (u) => sendForged(world, bot, secret, u),
      replay: (u) => replayAfterAnswer(world, bot, u, answers),
    });

    const sendStart = performance.now();
    let done = 0;
    await mapConcurrent(tasks, concurrency, async (t) => {
      await t.run();
      done++;
      if (opts.full && done % 2000 === 0) log(`${n(done)} of ${n(tasks.length)} sends done`);
    });
    const sendMs = performance.now() - sendStart;
    log(`all sent in ${(sendMs / 1000).toFixed(1)} s; waiting for the answers`);

    // Wait for every valid request's answer, then a barrier request's, then for quiet.
    await waitUntil(
      () => valid.every((u) => (answers.get(u.url) ?? 0) >= 1),
      opts.full ? 60_000 : 20_000,
    );
    const barrier = newUnit(world, 'status');
    const barrierAck = await send(world, bot, barrier.body, {
      ...signRequest(secret, barrier.body),
    });
    await waitUntil(() => (answers.get(barrier.url) ?? 0) >= 1, 10_000);
    await quiet(world);

    const trace = await traceEffects(world);
    const botAlive = bot.alive();
    const botLog = readBotLog(bot.lines);
    const figures = evaluate({ valid, forged, trace, botLog, botAlive });
    const rows = buildRows({
      total,
      tasks: tasks.length + 1,
      units,
      distinctUrls: new Set(units.map((u) => u.url)).size,
      distinctJobs: new Set(units.map((u) => u.job)).size,
      valid,
      forged,
      trace,
      botLog,
      bot,
      botAlive,
      barrierOk: barrierAck.status === 200 && (answers.get(barrier.url) ?? 0) === 1,
      figures,
      sendMs,
    });
    return {
      result: {
        name: 'authenticity',
        title: '1. Authenticity',
        rows,
        durationMs: performance.now() - t0,
        notes: [
          `seed ${opts.seed}; ${concurrency} requests in flight; sending took ${(sendMs / 1000).toFixed(1)} s`,
        ],
      },
      figures,
    };
  } finally {
    await world.close();
  }
}
