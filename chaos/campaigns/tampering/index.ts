// Campaign 3, tampering, as the runner and the short test call it: set up genuine state, send
// the tampered clicks one at a time, report.
import {
  type Campaign,
  type CampaignOptions,
  type CampaignResult,
  seededRandom,
} from '../../lib/campaign.ts';
import { startWorld } from '../../lib/world.ts';
import { clickAll } from './driver.ts';
import { startForeign } from './foreign.ts';
import { draws } from './plan.ts';
import { report, type TamperingFigures } from './rows.ts';
import { setUp } from './setup.ts';

export type { TamperingFigures } from './rows.ts';

/**
 * Campaign 3, tampering: clicks whose button value, block ID, message, modal private_metadata
 * or response_url were rewritten to name other jobs, requests, modals or hosts. Every click is
 * built from a genuine button or modal the bot really produced, one field rewritten, signed as
 * Slack signs and sent to one real bot (role web). Clicks go one at a time, so everything that
 * changes between a click and its answer (Redis, fine-tuning API requests, Slack calls, bodies
 * posted to response URLs, a listener on a host that is not Slack) belongs to that click, and
 * is checked against what the click's own state names: the request the bot stored under the
 * button's request ID, the job the button's value names, or the modal reference the bot stored
 * for the submitting user.
 */

export const runTampering: Campaign = async (opts) => (await runTamperingWithFigures(opts)).result;

export async function runTamperingWithFigures(
  opts: CampaignOptions,
): Promise<{ result: CampaignResult; figures: TamperingFigures }> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const total = opts.full ? 1000 : 80;

  const world = await startWorld({ evidence: opts.evidence });
  const foreign = await startForeign().catch(async (err: unknown) => {
    await world.close();
    throw err;
  });
  const notes: string[] = [];
  try {
    const s = await setUp(world, foreign, draws(random), log);
    const { tallies, counters } = await clickAll(s, total, log);
    return await report(s, { tallies, counters, total, started, notes });
  } finally {
    try {
      await foreign.close();
    } finally {
      await world.close();
    }
  }
}
