import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.ts';

/**
 * Per-channel pacing of Slack messages (about one a second per channel, as Slack asks),
 * shared by every worker through one Redis key per channel that holds when the channel is
 * next free. Redis's own clock is used so workers on different machines agree. A message
 * that must wait is not slept on: the caller moves its notification to the delayed set, so
 * a busy channel never holds up the others.
 */

// KEYS: pace key. ARGV: interval ms. Returns 0 when the slot was taken, else ms to wait.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nxt then return nxt - now end
local interval = tonumber(ARGV[1])
if interval > 0 then redis.call('SET', KEYS[1], now + interval, 'PX', interval + 1000) end
return 0`;

// KEYS: pace key. ARGV: ms. Keeps the channel closed for at least `ms` from now.
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if want > nxt then redis.call('SET', KEYS[1], want, 'PX', tonumber(ARGV[1]) + 1000) end
return 0`;

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
      return Number(await redis.eval(TAKE, 1, keys.channelPace(channel), String(intervalMs)));
    },
    async hold(channel, ms) {
      await redis.eval(HOLD, 1, keys.channelPace(channel), String(Math.max(0, Math.ceil(ms))));
    },
  };
}
