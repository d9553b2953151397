import type { Redis } from 'ioredis';

/**
 * A sender retries a delivery it got no 2xx for, and the route answers 2xx as soon as it has
 * claimed one, so a copy arrives only when that answer was lost: a day covers it.
 */
export const DEFAULT_WEBHOOK_DEDUPE_TTL_SECONDS = 86_400;

/**
 * `claimDelivery` for the webhook route: resolves true for the first copy of a `webhook-id`
 * and false for any later one, in one atomic `SET NX`, so two copies racing on two web
 * processes cannot both win. Rejects when Redis does not answer; the route then asks the
 * sender to retry.
 */
export function createWebhookDedupe(
  redis: Redis,
  key: (id: string) => string,
  ttlSeconds: number = DEFAULT_WEBHOOK_DEDUPE_TTL_SECONDS,
): (webhookId: string) => Promise<boolean> {
  return async (webhookId) =>
    (await redis.set(key(webhookId), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
}
