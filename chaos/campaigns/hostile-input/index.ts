// Campaign 7, hostile input, as the runner and the short test call it: harvest real IDs, send
// the seeded cases to a real web bot, let it settle, report.
import type { Campaign, CampaignResult } from '../../lib/campaign.ts';
import { startWorld } from '../../lib/world.ts';
import { FORGED_ACTORS, JOBS } from './inputs.ts';
import { seededCases } from './plan.ts';
import { hostileRows } from './rows.ts';
import { sendAll, settle } from './send.ts';
import { harvestIds } from './setup.ts';

export { foreignMentions } from './verdicts.ts';

/**
 * Campaign 7, hostile input: seeded fast-check cases of `/ft` text and interactive payloads
 * (mentions, `<!channel>`, control characters, 40 KB strings, path tricks, bad JSON, wrong
 * types, missing fields), every one signed correctly so it reaches the handlers of a real
 * `web` bot. Checked: the process never dies, every request is answered within 3 s, nothing
 * the bot sends to Slack carries a mention that came from input, every fine-tuning API
 * request stays on the job-ID routes, and no answer shows a stack trace or `[object Object]`.
 */

export const runHostileInput: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const total = opts.full ? 10_000 : 300;
  const concurrency = 16;
  const world = await startWorld({ evidence: opts.evidence });
  try {
    for (const j of JOBS) world.ft.addJob({ id: j.id, status: j.status });
    world.slack.addUser({ id: FORGED_ACTORS[0] as string, name: 'actor-one' });
    const bot = await world.startBot('hostile-web', {
      role: 'web',
      apiTimeoutMs: 2_000,
      fastRetry: true,
    });
    log(`bot up (pid ${bot.pid}); harvesting approval requests and modal references`);
    const harvest = await harvestIds(world, bot);
    log(`${harvest.requests.length} request IDs, ${harvest.refs.length} modal refs harvested`);

    const cases = seededCases(opts.seed, total);
    const sent = await sendAll(world, bot, cases, harvest, {
      secret: opts.evidence.canaries.SLACK_SIGNING_SECRET,
      concurrency,
      total,
      log,
    });
    await settle(world);

    const health = await fetch(`${bot.url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    const alive = bot.alive();
    const { rows, errorLines } = hostileRows(world, bot, sent, harvest, {
      total,
      concurrency,
      seed: opts.seed,
      alive,
      health,
    });
    const result: CampaignResult = {
      name: 'hostile-input',
      title: '7. Hostile input',
      rows,
      durationMs: Date.now() - t0,
    };
    const notes: string[] = [];
    if (errorLines.length > 0)
      notes.push(
        `${errorLines.length} error-level log lines, e.g. ${errorLines[0]?.slice(0, 300)}`,
      );
    if (!alive) {
      const { code, signal } = await bot.exited;
      const tail = bot.lines.filter((l) => !l.startsWith('{')).slice(0, 6);
      notes.push(
        `bot exited (${code ?? signal}); first non-JSON output: ${tail.join(' | ').slice(0, 600)}`,
      );
    }
    if (notes.length > 0) result.notes = notes;
    return result;
  } finally {
    await world.close();
  }
};
