// Campaign 10, hostile API: the fine-tuning API itself answers with hostile text in every field
// it has, and nothing of it may reach Slack as a mention, a link or markup.
import type { Campaign, CampaignResult } from '../../lib/campaign.ts';
import { startWorld } from '../../lib/world.ts';
import { hostileApiRows } from './rows.ts';
import { runSession } from './session.ts';

/**
 * Jobs whose status, model, suffix, fine-tuned model, training file, metadata, error code and
 * message, event messages and checkpoint names are hostile strings (broadcasts, foreign
 * mentions and links, mrkdwn, zero-width and RTL characters, invalid UTF-16, 40 KB), shown
 * through every command, an approval, API error bodies and announcements. Checked: 0 unescaped
 * mentions or links in anything sent to Slack, 0 crashes or stack traces, every command answered.
 */
export const runHostileApi: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const world = await startWorld({ evidence: opts.evidence });
  try {
    const [web, worker] = await Promise.all([
      world.startBot('hostile-api-web', { role: 'web', apiTimeoutMs: 2_000, fastRetry: true }),
      world.startBot('hostile-api-worker', {
        role: 'worker',
        paceMs: 10,
        fastRetry: true,
        env: { FT_POLL_INTERVAL_SECONDS: '1' },
      }),
    ]);
    log(`bots up (web ${web.pid}, worker ${worker.pid})`);
    const session = await runSession(world, web, {
      seed: opts.seed,
      jobs: opts.full ? 36 : 8,
      log,
    });
    const health = await Promise.all(
      [web, worker].map((b) =>
        fetch(`${b.url}/healthz`).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    const result: CampaignResult = {
      name: 'hostile-api',
      title: '10. Hostile API',
      rows: hostileApiRows(world, [web, worker], session, health),
      durationMs: Date.now() - t0,
    };
    return result;
  } finally {
    await world.close();
  }
};
