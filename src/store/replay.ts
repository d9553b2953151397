import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

/** Longer than Slack's five-minute window on either side, so no valid replay outlives its record. */
export const REPLAY_TTL_SECONDS = 11 * 60;

/**
 * Claims a request signature once. Slack signs the timestamp with the body, so a replay carries
 * the very same signature: the first claim wins, every later one within the window is refused.
 */
export async function claimSignature(
  redis: Redis,
  keys: Keys,
  signature: string,
): Promise<boolean> {
  const res = await redis.set(keys.replay(signature), '1', 'EX', REPLAY_TTL_SECONDS, 'NX');
  return res === 'OK';
}
