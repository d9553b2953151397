import type { HeldRequest } from '../../../src/emulators/fine-tuning/index.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { waitUntil } from '../../lib/campaign.ts';
import { sigkill } from '../../lib/kills.ts';
import type { World } from '../../lib/world.ts';

/** A kill waiting for the POST to one path to reach the API at one stage. */
export interface Armed {
  stage: HeldRequest['stage'];
  bot: () => BotProcess;
  fired: boolean;
  killed: boolean;
  signal?: string;
}

/**
 * Holds the armed POST in the fine-tuning emulator while its sender is SIGKILLed, so the
 * request is cut off where planned; returns the arming table, keyed by path.
 */
export function killAtApi(world: World): Map<string, Armed> {
  const armed = new Map<string, Armed>();
  world.ft.onRequest(async (req) => {
    if (req.method !== 'POST') return;
    const plan = armed.get(req.path);
    if (!plan || plan.fired || plan.stage !== req.stage) return;
    plan.fired = true;
    plan.signal = await sigkill(plan.bot());
    // The kernel closes the dead process's sockets; let the emulator see it before going on.
    await waitUntil(req.clientGone, 2_000, 5);
    plan.killed = true;
  });
  return armed;
}
