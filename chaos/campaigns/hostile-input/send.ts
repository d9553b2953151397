// Sends every case signed exactly as Slack signs, a fresh signature each, at bounded
// concurrency; then waits for the work the handlers do after the ack to die down.
import { signRequest } from '../../../src/emulators/slack-signing.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { mapConcurrent, n, waitUntil } from '../../lib/campaign.ts';
import type { Answer, World } from '../../lib/world.ts';
import { build } from './build.ts';
import type { Case } from './plan.ts';
import type { Harvest } from './setup.ts';

/** What was sent and how it was answered. */
export interface Sent {
  kind: Case['kind'];
  answer: Answer | { status: 0; body: string; ms: number };
  responseUrl?: string;
}

export async function sendAll(
  world: World,
  bot: BotProcess,
  cases: Case[],
  harvest: Harvest,
  run: { secret: string; concurrency: number; total: number; log: (line: string) => void },
): Promise<Sent[]> {
  const { concurrency, total, log } = run;
  const nowSec = Math.floor(Date.now() / 1000);
  const seen = new Set<string>();
  let done = 0;
  return mapConcurrent(cases, concurrency, async (c, i): Promise<Sent> => {
    const built = build(world, c, harvest);
    // Identical bodies would be refused as replays; a different timestamp makes a new signature.
    let ts = nowSec - (i % 120);
    while (seen.has(`${ts}:${built.body}`)) ts--;
    seen.add(`${ts}:${built.body}`);
    const headers = {
      ...signRequest(run.secret, built.body, ts),
    };
    const tStart = performance.now();
    let answer: Sent['answer'];
    try {
      answer = await world.post(bot, built.body, {
        ...headers,
        'content-type': built.contentType,
      });
    } catch (err) {
      answer = {
        status: 0,
        body: err instanceof Error ? err.message : String(err),
        ms: performance.now() - tStart,
      };
    }
    done++;
    if (done % 1000 === 0) log(`${n(done)} / ${n(total)} sent`);
    return {
      kind: c.kind,
      answer,
      ...(built.responseUrl ? { responseUrl: built.responseUrl } : {}),
    };
  });
}

/** Let the handlers finish what they do after the ack (answers, API calls, posts). */
export async function settle(world: World): Promise<void> {
  let last = -1;
  await waitUntil(
    () => {
      const now =
        world.slack.calls.length + world.slack.responses.length + world.ft.requests.length;
      const quiet = now === last;
      last = now;
      return quiet;
    },
    20_000,
    1_500,
  );
}
