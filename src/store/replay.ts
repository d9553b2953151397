import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

/** Longer than Slack's five-minute window on either side, so no valid replay outlives its record. */
export const REPLAY_TTL_SECONDS = 11 * 60;

/** Slack redelivers for up to an hour (Events API retries); a claim outlives that. */
const DELIVERY_TTL_SECONDS = 2 * 3600;

/**
 * Claims one delivery (a `trigger_id` or an `event_id`) once, whichever receiver brought it:
 * a Socket Mode envelope Slack sends again, or an HTTP retry with a fresh signature, carries
 * the same ID, and only the first copy is acted on.
 */
export async function claimDelivery(redis: Redis, keys: Keys, id: string): Promise<boolean> {
  const res = await redis.set(keys.delivery(id), '1', 'EX', DELIVERY_TTL_SECONDS, 'NX');
  return res === 'OK';
}

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

/** What one claim of a request found: whether its signature and its delivery are new. */
export interface RequestClaim {
  /** False for a replay: the very same signed request seen before. */
  freshSignature: boolean;
  /** False for a redelivery (a retry with a new signature, same trigger or event). */
  firstDelivery: boolean;
}

/**
 * Claims a request's signature and its delivery ID together, in one round trip (a MULTI on
 * keys of one hash slot), so the front door costs one Redis call per request, not two.
 */
export async function claimRequest(
  redis: Redis,
  keys: Keys,
  signature: string,
  deliveryId: string | undefined,
): Promise<RequestClaim> {
  const tx = redis.multi().set(keys.replay(signature), '1', 'EX', REPLAY_TTL_SECONDS, 'NX');
  if (deliveryId !== undefined)
    tx.set(keys.delivery(deliveryId), '1', 'EX', DELIVERY_TTL_SECONDS, 'NX');
  const replies = (await tx.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const ok = (i: number) => replies[i]?.[1] === 'OK';
  return { freshSignature: ok(0), firstDelivery: deliveryId === undefined || ok(1) };
}
