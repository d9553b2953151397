import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.ts';
import { loadScript, runScript } from '../store/scripts.ts';

/**
 * Per-channel pacing of Slack messages (about one a second per channel, as Slack asks),
 * shared by every worker through one Redis key per channel that holds when the channel is
 * next free. Redis's own clock is used so workers on different machines agree. A message
 * that must wait is not slept on: the caller moves its notification to the delayed set, so
 * a busy channel never holds up the others.
 */

const TAKE = loadScript('pace-take');

const HOLD = loadScript('pace-hold');

/** Paces messages per channel across workers. */
export interface ChannelPacer {
  /** Takes the channel's next slot: 0 when the caller may post now, else ms to wait. */
  take(channel: string): Promise<number>;
  /** Closes the channel for `ms` (after Slack answered 429 with Retry-After). */
  hold(channel: string, ms: number): Promise<void>;
}

/** Builds a pacer allowing one message per `intervalMs` per channel (0 = no pacing). */
export function createChannelPacer(redis: Redis, keys: Keys, intervalMs: number): ChannelPacer {
  return {
    async take(channel) {
      return Number(
        await runScript(redis, TAKE, [keys.channelPace(channel)], [String(intervalMs)]),
      );
    },
    async hold(channel, ms) {
      await runScript(
        redis,
        HOLD,
        [keys.channelPace(channel)],
        [String(Math.max(0, Math.ceil(ms)))],
      );
    },
  };
}
