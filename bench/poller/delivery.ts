import type { FineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import type { NotifyWorker } from '../../src/poller/notify-worker.ts';
import type { Sweeper } from '../../src/poller/sweeper.ts';
import type { PollerWorld } from './world.ts';

export interface Delivery {
  paceMs: number;
  found: number;
  delivered: number;
  busiest: number;
  floorMs: number;
  ms: number;
  limited: number;
}

/**
 * `jobIds` (watched) change; one sweep finds them and a notify worker paced at `paceMs`
 * announces them; timed from the sweep's start to the last message Slack accepted.
 */
export async function deliver(
  ctx: {
    ft: FineTuningEmulator;
    slack: SlackEmulator;
    sweeper: Sweeper;
    world: PollerWorld;
    newWorker: (paceMs: number) => NotifyWorker;
  },
  paceMs: number,
  jobIds: string[],
): Promise<Delivery> {
  const { ft, slack, sweeper, world } = ctx;
  const worker = ctx.newWorker(paceMs);
  try {
    const perChannel = new Map<string, number>();
    for (const id of jobIds) {
      const c = world.channelOf.get(id)!;
      perChannel.set(c, (perChannel.get(c) ?? 0) + 1);
      ft.setStatus(id, 'paused');
    }
    const posted = () =>
      world.channels.reduce(
        (n, c) => n + (slack.messages.get(c) ?? []).filter((m) => !m.ephemeral).length,
        0,
      );
    const callsBefore = slack.calls.length;
    const postedBefore = posted();
    let lastAt = 0;
    const onMessage = () => {
      lastAt = performance.now();
    };
    slack.events.on('message', onMessage);
    const d0 = performance.now();
    const sweep = await sweeper.sweep();
    const deadline = d0 + 60_000;
    while (posted() - postedBefore < jobIds.length && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    slack.events.off('message', onMessage);
    const busiest = Math.max(...perChannel.values());
    return {
      paceMs,
      found: sweep.transitions,
      delivered: posted() - postedBefore,
      busiest,
      floorMs: busiest * 1000,
      ms: lastAt - d0,
      limited: slack.calls.slice(callsBefore).filter((c) => c.status === 429).length,
    };
  } finally {
    await worker.close();
  }
}
