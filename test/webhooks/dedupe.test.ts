import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookDedupe,
  DEFAULT_WEBHOOK_DEDUPE_TTL_SECONDS,
} from '../../src/bot/webhooks/dedupe.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/** The webhook-id claim on the real Redis. */

let t: TestRedis;
beforeEach(() => {
  t = openTestRedis();
});
afterEach(async () => {
  await t.cleanup();
});

describe('createWebhookDedupe', () => {
  it('is true for the first claim of an id only, under its key in the namespace', async () => {
    const claim = createWebhookDedupe(t.redis, t.keys.webhook);
    expect(await claim('msg_a')).toBe(true);
    expect(await claim('msg_a')).toBe(false);
    expect(await claim('msg_b')).toBe(true);
    expect(t.keys.webhook('msg_a')).toBe(`{${t.namespace}}:webhook:msg_a`);
    expect(await t.redis.exists(t.keys.webhook('msg_a'))).toBe(1);
  });

  it('gives exactly one of many simultaneous claims the win', async () => {
    const claim = createWebhookDedupe(t.redis, t.keys.webhook);
    const wins = await Promise.all(Array.from({ length: 20 }, () => claim('msg_race')));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('keeps a claim for a day by default, or for the lifetime it is given', async () => {
    expect(DEFAULT_WEBHOOK_DEDUPE_TTL_SECONDS).toBe(86_400);
    await createWebhookDedupe(t.redis, t.keys.webhook)('msg_day');
    const day = await t.redis.ttl(t.keys.webhook('msg_day'));
    expect(day).toBeGreaterThan(86_390);
    expect(day).toBeLessThanOrEqual(86_400);
    await createWebhookDedupe(t.redis, t.keys.webhook, 60)('msg_minute');
    const minute = await t.redis.ttl(t.keys.webhook('msg_minute'));
    expect(minute).toBeGreaterThan(50);
    expect(minute).toBeLessThanOrEqual(60);
  });

  it('claims again once the claim has expired', async () => {
    const claim = createWebhookDedupe(t.redis, t.keys.webhook);
    expect(await claim('msg_old')).toBe(true);
    await t.redis.del(t.keys.webhook('msg_old')); // what expiry does, without waiting a day
    expect(await claim('msg_old')).toBe(true);
  });
});
