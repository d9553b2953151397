import type { BotProcess } from '../../lib/bot-process.ts';
import { sigkill } from '../../lib/kills.ts';
import type { World } from '../../lib/world.ts';
import { announcementOf, key } from './announcements.ts';
import { POST_WAIT_MS, STALL_MS } from './plan.ts';

export type Slot = 'A' | 'B';
const SLOTS = ['A', 'B'] as const;

/** The two worker slots; each generation of a slot calls Slack under a name of its own. */
export interface Workers {
  current: Partial<Record<Slot, { bot: BotProcess; client: string }>>;
  /** Every worker process started, killed ones included. */
  all: BotProcess[];
  start(slot: Slot): Promise<void>;
}

export function workerSlots(world: World): Workers {
  const gens: Record<Slot, number> = { A: 0, B: 0 };
  const workers: Workers = {
    current: {},
    all: [],
    async start(slot) {
      gens[slot] += 1;
      const client = `w${slot}${gens[slot]}`;
      const bot = await world.startBot(`crash-worker-${client}`, {
        role: 'worker',
        fastRetry: true,
        paceMs: 25,
        stallMs: STALL_MS,
        env: { FT_POLL_INTERVAL_SECONDS: '1', SLACK_API_URL: world.slack.apiUrlFor(client) },
      });
      workers.all.push(bot);
      workers.current[slot] = { bot, client };
    },
  };
  return workers;
}

/**
 * The post-then-kill hook: holds the next announcement post of a running worker until that
 * worker is dead, so Slack has the message and the worker never records it.
 */
export interface PostKiller {
  /** Keys of posts whose poster died before hearing back. */
  interrupted: string[];
  /** Kills whichever worker posts next; null if none posts within {@link POST_WAIT_MS}. */
  next(): Promise<Slot | null>;
}

export function killOnPost(world: World, workers: Workers): PostKiller {
  let armed: ((slot: Slot) => void) | null = null;
  const interrupted: string[] = [];
  world.slack.onPosted(async (p) => {
    const fired = armed;
    const slot = SLOTS.find((s) => workers.current[s]?.client === p.client);
    const victim = slot ? workers.current[slot] : undefined;
    if (!fired || !slot || !victim || p.method !== 'chat.postMessage') return;
    const ann = announcementOf(p.args);
    if (!ann) return;
    armed = null;
    interrupted.push(key(p.channel, ann.jobId, ann.seq));
    await sigkill(victim.bot);
    fired(slot);
  });
  return {
    interrupted,
    next: () =>
      new Promise<Slot | null>((resolve) => {
        const timer = setTimeout(() => {
          armed = null;
          resolve(null);
        }, POST_WAIT_MS);
        armed = (s) => {
          clearTimeout(timer);
          resolve(s);
        };
      }),
  };
}
